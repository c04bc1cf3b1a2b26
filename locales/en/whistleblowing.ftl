# Anonymous whistleblowing intake — English. Every key also exists in locales/sv/whistleblowing.ftl.

## Reporter
wb-panel = { STRONG("Report wrongdoing — confidentially") }
    Use the button below (or { CODE("/whistleblow report") }) to tell us about irregularities such as collusion between suppliers, bribery or breaches in a procurement. Only the designated handlers can read what you write; it is encrypted, and your Discord account is not stored with it.
    {""}{ STRONG("What happens next:") } you get a case code and a secret. The handlers acknowledge your report within { STRONG("7 days") } and give you feedback within { STRONG("3 months") }. Read their replies and add information with { CODE("/whistleblow followup") }.
    {""}{ STRONG("Other ways to report:") } you may report orally (by phone) or ask for a meeting in person with a handler. For procurement and collusion you can also go to the external channel: { STRONG("Konkurrensverket's whistleblower function") } (konkurrensverket.se).
    {""}{ STRONG("Please note:") } Discord itself can see what you submit here (your account, device and text). If that matters to you, use the web form or another channel.
wb-panel-web = { STRONG("Web form (outside Discord, no account):") } { $url }
wb-button-report = Report
wb-button-followup = Follow up
wb-modal-report-title = Confidential report
wb-modal-what = What happened?
wb-modal-when-where = When and where?
wb-modal-who = Who is involved?
wb-modal-evidence = Evidence, or where it can be found (optional)
wb-modal-contact = Contact details, only if you want (optional)
wb-modal-followup-title = Follow up your report
wb-modal-code = Case code
wb-modal-secret = Secret
wb-modal-addition = New information (optional)
wb-receipt = Your report is received.
    Case code: { STRONG($code) }
    Secret: { STRONG($secret) }
    Keep both somewhere safe, now: they are shown { STRONG("only this once") } and nobody, not even the handlers, can recover them. With them, { CODE("/whistleblow followup") } shows the handlers' replies and lets you add information. Receipt is acknowledged within 7 days; feedback follows within 3 months.
wb-followup-status = Case { STRONG($code) } — status: { $status }
wb-followup-added = Your new information was added to the case.
wb-followup-no-messages = No messages yet.
wb-author-reporter = You
wb-author-handler = Handler
wb-message-line = { $date } · { STRONG($author, ":") } { $text }
wb-access-denied = That case code and secret do not match an open case you can access. Check them and try again later.
wb-slow-down = Too many reports are being submitted right now. Please try again later, or use one of the other channels on the panel.
wb-no-handlers = The reporting channel is not ready yet: no handlers have been set up. Please use one of the other channels on the panel.
wb-case-closed = This case is closed; nothing more can be added.
wb-field = { $field ->
    [what] “What happened”
    [when_where] “When and where”
    [who] “Who is involved”
    [evidence] “Evidence”
    [contact] “Contact details”
   *[message] The message
}
wb-field-missing = { $field } must be filled in.
wb-field-too-long = { $field } may be at most { $max } characters.
wb-field-unreadable = { $field } contains characters that cannot be read. Please write plain text.
wb-invalid-request = This request could not be read. Please try again.

## Status
wb-status = { $status ->
    [received] received
    [acknowledged] acknowledged
    [in_progress] in progress
   *[closed] closed
}
wb-outcome = { $outcome ->
    [substantiated] substantiated
    [not_substantiated] not substantiated
    [referred_externally] referred to an external authority
   *[no_action] no action
}

## Handlers
wb-not-handler = Only the designated whistleblowing handlers can use this command.
wb-handler-no-key = You have no handler key yet. The operator creates it with { CODE("samverkan handler add --user <your id>") }.
wb-handler-exists = This handler already has a key.
wb-passphrase-too-short = The passphrase must be at least 12 characters.
wb-wrong-passphrase = Wrong passphrase.
wb-case-unknown = No such case among yours.
wb-list-empty = You have no cases.
wb-list-header = { $count ->
    [one] One case:
   *[other] { $count } cases:
}
wb-list-line = { $overdue ->
    [yes] ⚠️ { STRONG("OVERDUE") } · 
   *[no] {""}
}{ STRONG($code) } · { $status } · received { $received } · { $next }
wb-deadline = { $kind ->
    [acknowledge] acknowledge by
    [feedback] feedback by
   *[purge] purged on
} { $due }{ $overdue ->
    [yes] {" "}(overdue)
   *[no] {""}
}
wb-deadline-none = no deadline
wb-none = —
wb-text = { $text }
wb-view-header = { STRONG("Case ", $code) } · { $status } · received { $received }
wb-view-what = { STRONG("What happened:") } { $text }
wb-view-when-where = { STRONG("When and where:") } { $text }
wb-view-who = { STRONG("Who is involved:") } { $text }
wb-view-evidence = { STRONG("Evidence:") } { $text }
wb-view-contact = { STRONG("Contact details:") } { $text }
wb-modal-passphrase = Your handler passphrase
wb-modal-view-title = Open case
wb-modal-reply-title = Reply to the reporter
wb-modal-message = Message to the reporter
wb-status-unknown = Unknown status. Choose acknowledged or in_progress.
wb-close-with-outcome = Close a case with { CODE("/case close") } and an outcome.
wb-outcome-unknown = Unknown outcome. Choose substantiated, not_substantiated, referred_externally or no_action.
wb-transition-refused = A case cannot go from { $from } to { $to }.
wb-status-changed = Case { STRONG($code) } is now { $status }.
wb-closed-outcome = Outcome: { $outcome }.
wb-reply-sent = Your reply to case { STRONG($code) } is stored, encrypted. The reporter sees it at their next follow-up.
wb-exclude-not-on-case = That handler is not on this case.
wb-exclude-last = The last handler of a case cannot be excluded.
wb-excluded = The handler is excluded from case { STRONG($code) } and can no longer open it.
wb-panel-posted = The panel is posted.

## Notices to handlers (fixed, content-free)
wb-notice-new-report = A new whistleblowing report has arrived. Handlers: see { CODE("/case list") }.
wb-notice-new-followup = A reporter has followed up on a whistleblowing case. Handlers: see { CODE("/case list") }.
wb-notice-digest = There is new whistleblowing activity since the last digest. Handlers: see { CODE("/case list") }.
wb-notice-reminder = Whistleblowing deadline reminder ({ $kind ->
    [ack_soon] acknowledgement due soon
    [ack_due_today] acknowledgement due today
    [ack_overdue] acknowledgement overdue
    [feedback_in_14_days] feedback due in 14 days
    [feedback_in_3_days] feedback due in 3 days
    [feedback_overdue] feedback overdue
   *[purge_in_14_days] a closed case will be purged in 14 days
}). Handlers: see { CODE("/case list") }.

## Handler CLI
wb-handler-added = Handler key created and stored.

## Commands (cmd- + the command's full English name; attributes are its parameters)
cmd-whistleblow = whistleblow
    .description = Report wrongdoing confidentially
cmd-whistleblow-report = report
    .description = Submit a confidential report (only you see the answers)
    .exclude = exclude
    .exclude-description = A handler who must not read your report (optional)
    .also_exclude = also_exclude
    .also_exclude-description = Another handler who must not read your report (optional)
cmd-whistleblow-followup = followup
    .description = Follow up your report with its case code and secret
cmd-whistleblow-panel = panel
    .description = Post the reporting panel in this channel (admins)
cmd-case = case
    .description = Whistleblowing cases (designated handlers only)
cmd-case-list = list
    .description = Your cases: code, status, deadlines
cmd-case-view = view
    .description = Open a case (asks for your passphrase)
    .case = case
    .case-description = The case code, e.g. VB-7K2M-Q9XD
cmd-case-ack = ack
    .description = Acknowledge receipt of a case
    .case = case
    .case-description = The case code
cmd-case-reply = reply
    .description = Reply to the reporter, encrypted (asks for your passphrase)
    .case = case
    .case-description = The case code
cmd-case-status = status
    .description = Set a case's status
    .case = case
    .case-description = The case code
    .status = status
    .status-description = acknowledged or in_progress
cmd-case-close = close
    .description = Close a case with an outcome
    .case = case
    .case-description = The case code
    .outcome = outcome
    .outcome-description = substantiated, not_substantiated, referred_externally or no_action
cmd-case-exclude = exclude
    .description = Exclude a handler with a conflict of interest from a case
    .case = case
    .case-description = The case code
    .handler = handler
    .handler-description = The handler to exclude

## Issue 12: continuity, accountable exclusion, hardening.
wb-link-warning = { $line }
    ⚠ This message contains a link, shown as plain text. Opening it can reveal who you are (your network address and device) to whoever runs that site.
wb-exclude-all = You asked to exclude every handler. At least one handler must be able to read your report; please use one of the other channels on the panel instead.
wb-followup-slow-down = Please wait a minute before following up again.
wb-passphrase-wait = Too many wrong passphrases. Try again in { $minutes } minutes.
wb-recovery-key-invalid = That is not the recovery key configured in whistleblowing.recovery_public_key.
wb-recovery-not-configured = No recovery key is configured (whistleblowing.recovery_public_key).
wb-recovery-no-handler = That user is not a current handler: they must be in whistleblowing.handlers, have a key, and have their fingerprint pinned in whistleblowing.fingerprints.
wb-list-locked =     ↳ locked after wrong secrets until { $until } (lift it with /case unlock)
wb-list-flagged =     ↳ received while the hourly limit was exceeded (flagged: possibly a flood)
wb-changed-meanwhile = The case was changed by someone else at the same time. Look at it again and retry.
wb-feedback-ack-first = Acknowledge the case first (/case ack).
wb-feedback-recorded = Feedback to the reporter on case { $code } is recorded.
wb-exclude-requested = Exclusion from case { $code } requested. A second handler must approve it by running the same command.
wb-exclude-needs-second = You already asked for this exclusion from case { $code }. A second handler must approve it.
wb-exclude-already = That handler is already excluded from this case.
wb-audit-header = Audit log of case { $code }:
wb-audit-line = { $at } · { $handler } · { $action }
wb-lock-lifted = The lock on case { $code } is lifted; the reporter can follow up again.
wb-notice-flagged = Whistleblowing reports arrived today while the hourly limit was exceeded. They are kept and flagged in /case list.
wb-notice-exclusion-requested = A handler asked that another be excluded from a whistleblowing case. A second handler must approve: see /case audit.
wb-notice-excluded = A handler was excluded from a whistleblowing case. See /case audit.
wb-notice-unreadable = { $cases } whistleblowing { $cases ->
        [one] case
       *[other] cases
    } cannot be opened by any current handler ({ $recoverable } recoverable with the operator's recovery key). See the README, "Recovery".
cmd-case-feedback = feedback
    .description = Record that the reporter was given feedback (the 3-month duty)
    .case = case
    .case-description = The case code
cmd-case-audit = audit
    .description = Show a case's audit log
    .case = case
    .case-description = The case code
cmd-case-unlock = unlock
    .description = Lift a lock after wrong secrets, so the reporter can follow up
    .case = case
    .case-description = The case code
