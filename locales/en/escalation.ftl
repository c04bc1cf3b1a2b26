# Escalations up the ladder, and the generated lines under an agenda's standing items.

## Feeds under standing items
agenda-line-feed = { $n }. { $title }
feed-title-previous-minutes = Previous minutes
feed-title-escalations = Incoming escalations
feed-title-open-actions = Open actions
feed-action =     • Action { STRONG($id) }: { $what } — { $who } — due { $due }
feed-escalation =     • Escalation { STRONG($id) }: { $subject } ({ $state }) — { $from }. Reason: { $reason }
feed-escalation-from = from { STRONG($name) }
feed-escalation-from-meeting = from { STRONG($name) }, meeting of { $when }
feed-escalation-step =         ↳ earlier: { $from } → { $to }: { $reason }
feed-outcome-resolved =     • Our escalation { STRONG($id) } ({ $subject }) to { STRONG($name) } is resolved: decision { $number }
feed-outcome-returned =     • Our escalation { STRONG($id) } ({ $subject }) was returned by { STRONG($name) }: { $reason }

## States
escalation-state-open = open
escalation-state-accepted = accepted
escalation-state-resolved = resolved
escalation-state-returned = returned

## Replies
escalation-raised = Escalation { STRONG($id) } to { STRONG($name) }: { $subject }. It is on { $name }'s next agenda and its chair has been told.
escalation-accepted = Escalation { STRONG($id) } ({ $subject }) is accepted by { STRONG($name) }.
escalation-resolved = Escalation { STRONG($id) } ({ $subject }) is resolved by decision { $number }. { $from } is told.
escalation-returned = Escalation { STRONG($id) } ({ $subject }) is returned to { STRONG($from) }, which is told.
escalation-list-header = Escalations ({ $count }):
escalation-list-header-forum = Escalations to and from { STRONG($name) } ({ $count }):
escalation-list-empty = No escalations.
escalation-list-line = • { STRONG($id) } { $from } → { $to }: { $subject } — { $state }{ $detail }
escalation-list-resolved = , decision { $number }
escalation-list-returned = : { $reason }

## Notices in channels
escalation-notice-arrived = { $role } New escalation { STRONG($id) } from { STRONG($from) }: { $subject }. Reason: { $reason }. It is on the next agenda of { STRONG($name) }.
escalation-notice-arrived-nochair = New escalation { STRONG($id) } from { STRONG($from) }: { $subject }. Reason: { $reason }. It is on the next agenda of { STRONG($name) }.
escalation-notice-accepted = Escalation { STRONG($id) } ({ $subject }) is accepted by { STRONG($name) }: it is on their agenda until they resolve or return it.
escalation-notice-resolved = Escalation { STRONG($id) } ({ $subject }) to { STRONG($name) } is resolved by decision { $number }.
escalation-notice-returned = Escalation { STRONG($id) } ({ $subject }) was returned by { STRONG($name) }: { $reason }

## Refusals
escalation-error-top = { STRONG($name) } is at the top of the ladder: there is no forum to escalate to.
escalation-error-unknown = There is no escalation { $id }.
escalation-error-not-chair = Only the chair of { STRONG($name) } (where the escalation went) or an administrator can do that.
escalation-error-already = Escalation { STRONG($id) } is already { $state }. Nothing changed.
escalation-error-closed = Escalation { STRONG($id) } is { $state } and can no longer change.
escalation-error-changed = Escalation { STRONG($id) } was just changed by someone else: it is now { $state }. Nothing changed.
escalation-error-decision-unknown = There is no decision { $number }.
escalation-error-decision-other-forum = Decision { $number } was made by { STRONG($other) }, not { STRONG($name) }: an escalation is resolved by a decision of the forum it was escalated to.
escalation-error-item-unknown = { STRONG($name) } has no agenda item { $id }.
escalation-error-not-received = Escalation { STRONG($id) } did not go to { STRONG($name) }: only the forum that received it can escalate it further.
escalation-error-not-active = Escalation { STRONG($id) } is { $state }: only open and accepted escalations can be escalated further.
escalation-error-state = { $value } is not a state: open, accepted, resolved or returned.
escalation-error-empty = { $field } must not be empty.
escalation-error-too-long = { $field } may be at most { $max } characters.
escalation-error-control = { $field } contains characters that are not allowed.
escalation-field-subject = The subject
escalation-field-reason = The reason

## Commands
cmd-escalate = escalate
    .description = Escalate an issue to the forum one level up
cmd-escalate-item = item
    .description = Escalate an agenda item with a reason
    .item = item
    .item-description = The agenda item's number (#12)
    .reason = reason
    .reason-description = Why it is escalated
cmd-escalate-issue = issue
    .description = Escalate a free-text issue with a reason
    .forum = forum
    .forum-description = The forum that escalates
    .subject = subject
    .subject-description = What it is about
    .reason = reason
    .reason-description = Why it is escalated
cmd-escalate-onward = onward
    .description = Escalate an escalation received further up
    .id = id
    .id-description = The received escalation's number
    .reason = reason
    .reason-description = Why it goes further up
cmd-escalation = escalation
    .description = The register of escalations
cmd-escalation-list = list
    .description = Escalations: open, accepted, resolved, returned
    .forum = forum
    .forum-description = Only to and from this forum
    .state = state
    .state-description = open, accepted, resolved or returned
cmd-escalation-accept = accept
    .description = Accept an escalation (the receiving forum's chair)
    .id = id
    .id-description = The escalation's number
cmd-escalation-resolve = resolve
    .description = Resolve an escalation by a decision of the receiving forum
    .id = id
    .id-description = The escalation's number
    .decision = decision
    .decision-description = The decision's number (VF-2026-03)
cmd-escalation-return = return
    .description = Return an escalation with a reason
    .id = id
    .id-description = The escalation's number
    .reason = reason
    .reason-description = Why it is returned
