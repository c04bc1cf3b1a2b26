# Samverkan — English. Every key also exists in locales/sv/main.ftl.

tier-label = { $tier ->
    [delivery] delivery
    [contract] contract
    [business] business
    [cross-supplier] cross-supplier
   *[other] { $tier }
}
field-name = { $field ->
    [name] The name
    [tier] The tier
    [title] The title
    [what] The description
   *[other] The text
}

## Errors
error-internal = Something went wrong on our side. Nothing was changed. Quote reference { STRONG($reference) } if you contact the administrator.
error-guild-only = This command works only in a server.
error-not-manager = Only members with the Manage Server permission or the { STRONG($role) } role can do this.
error-channel-not-in-guild = That channel is not in this server. Pick a channel of this server.
error-role-not-in-guild = That role is not in this server.
error-forum-unknown = There is no forum called “{ $name }” here. See { CODE("/forum list") }.
error-forum-name-taken = A forum called { STRONG($name) } already exists in this server. Choose another name.
error-time-zone-unknown = “{ $zone }” is not a known time zone. Give an IANA time zone such as Europe/Stockholm.
error-text-empty = { $field } must not be empty.
error-text-too-long = { $field } may be at most { $max } characters.
error-text-markup = { $field } must not contain formatting or mentions (characters such as * _ ~ ` | > < # @ : [ ] ( ) \).
error-text-control = { $field } contains characters that are not allowed.
error-language-unknown = Unknown language. Choose sv (Swedish) or en (English).
error-bad-option = One of the values could not be read: { $detail }
error-missing-option = The value { STRONG($option) } is missing.
error-unknown-command = Unknown command. Type { CODE("/help") } to see the commands.
error-incomplete-command = { STRONG($command) } needs one more word: { $choices }.

## Forums
forum-created = The forum { STRONG($name) } is created and meets in { $channel }.
forum-details = Tier: { $tier } · Channel: { $channel } · Time zone: { $time_zone } · Escalates to: { $escalates_to } · Chair: { $chair }
forum-list-empty = This server has no forums yet. Create one with { CODE("/forum create") }.
forum-list-header = { $count ->
    [one] One forum:
   *[other] { $count } forums:
}
forum-list-line = • { STRONG($name) } ({ $tier }) in { $channel }
forum-show-title = { STRONG($name) }

## Settings
settings-language-set = I now speak English in this server.

## Shell
shell-help = Type one command a line, as in Discord: { CODE("/forum create name:\"Leveransforum\" tier:delivery channel:#leveransforum") }. Commands: { $commands }. End with Ctrl-D.
shell-parse-error = The line could not be read: { $detail }
language-name = { $code ->
    [sv] Swedish
   *[en] English
}
shell-unknown-option = Unknown option { STRONG($option) } for this command.

## Meetings
forum-schedule-set = The meeting plan of { STRONG($name) } is updated.
forum-schedule-line = Cadence: { $cadence } at { $time } ({ $zone }), { $duration } min · Reminders: { $reminders }
forum-schedule-none = The forum has no cadence yet. Set one with { CODE("/forum edit") }.
forum-delivery-problem = ⚠️ Reminders could not be posted to the forum's channel: { $problem }
meeting-next-line = Next meeting: { $when }
meeting-list-header = Meetings of { STRONG($name) }:
meeting-list-empty = No upcoming meetings.
meeting-line = • { $when }
meeting-line-moved = • { $when } (moved)
meeting-line-extra = • { $when } (extra meeting)
meeting-line-cancelled = • { STRUCK($when) } cancelled: { $reason }
meeting-scheduled = Extra meeting of { STRONG($name) }: { $when }.
meeting-cancelled = The meeting of { STRONG($name) } on { $when } is cancelled. Reason: { $reason }
meeting-moved = The meeting of { STRONG($name) } is moved from { $from } to { $to }.
meeting-dm-on = You now get reminders for { STRONG($name) } as direct messages.
meeting-dm-off = You no longer get reminders for { STRONG($name) } as direct messages.
reminder-call-for-agenda = 📋 { STRONG($name) } meets { $when }. Propose agenda items and send questions in advance.
reminder-agenda-deadline = ⏳ Last chance to propose agenda items for { STRONG($name) }: the meeting is { $when }.
reminder-day-before = 📅 Reminder: { STRONG($name) } meets { $when }.
reminder-starting-soon = 🔔 { STRONG($name) } starts { $when }.
reminder-delayed = (delayed reminder)
error-cadence-missing = Give a cadence, such as { CODE("monthly 2nd tue") } or { CODE("biweekly thu") }.
error-cadence = The cadence could not be read: { $detail }. Examples: { CODE("weekly mon") }, { CODE("monthly last fri") }, { CODE("quarterly 15") }, { CODE("cron 0 13 * * 2") }.
error-cadence-too-frequent = A forum cannot meet more often than once a day.
error-cron = The cron expression has the wrong shape: { $detail }. Give five fields: minute hour day month weekday.
error-duration = A meeting lasts 1–1440 minutes (given: { $minutes }).
error-time = “{ $value }” is not a time. Write for example 13:30.
error-date = “{ $value }” is not a date. Write for example 2026-12-01 (or 2026-12-01 13:30).
error-meeting-in-past = That time has passed. Choose a time ahead.
error-meeting-exists = There is already a meeting at that time.
error-meeting-unknown = The forum has no upcoming meeting on { $when }. See { CODE("/meeting list") }.
error-meeting-ambiguous = The forum has several meetings that day. Give the time too, such as 2026-12-01 13:30.
error-meeting-already-cancelled = That meeting is already cancelled.
error-meeting-not-changeable = That meeting has already started or taken place; it can no longer be moved or cancelled.
error-cancel-reason = Give a short reason (at most 300 characters, no formatting).
error-not-chair = Only the chair of { STRONG($name) } or an administrator can change its meetings.
error-reminder-offset = “{ $value }” is not a reminder time. Write for example { CODE("14d, 3d, 1d, 15m@") } (@ mentions the participant role).
error-reminder-too-long = The reminder { $value } before the meeting reaches back past the previous meeting. Choose a shorter one.
error-reminder-too-many = At most eight reminders a meeting.
error-reminder-duplicate = The reminder { $value } is given twice.

## Governance templates
error-template-unknown = There is no template called “{ $name }”. Available: { $available }.
error-template-mapping-malformed = The mapping entry “{ $entry }” is not of the form { CODE("Forum name=#channel") }. Separate entries with commas. Nothing was created.
error-template-mapping-duplicate = The forum “{ $name }” is mapped twice. Nothing was created.
error-template-mapping-forum = The template { $template } has no forum called “{ $name }”. Nothing was created.
error-template-mapping-channel = The channel “{ $channel }” for { $name } is not a channel of this server. Nothing was created.
template-setup-header = Template { STRONG($template) }: { $created ->
    [one] one forum created
   *[other] { $created } forums created
}, { $existing ->
    [one] one already there
   *[other] { $existing } already there
}.
template-setup-created = • { STRONG($name) } created in { $channel } · { $cadence } { $time } · escalates to: { $escalates_to }
template-setup-existing = • { STRONG($name) } already there (in { $channel }), left as it is
template-setup-unchanged = Nothing changed: every forum of the template was already there.

## Times as words (platforms that cannot show each reader their own time zone)
time-full = { $weekday } { $date } { $time } ({ $zone })
time-date = { $day } { $month } { $year }
weekday-name = { $day ->
    [1] Monday
    [2] Tuesday
    [3] Wednesday
    [4] Thursday
    [5] Friday
    [6] Saturday
   *[7] Sunday
}
month-name = { $month ->
    [1] January
    [2] February
    [3] March
    [4] April
    [5] May
    [6] June
    [7] July
    [8] August
    [9] September
    [10] October
    [11] November
   *[12] December
}
reminder-for-role = { $role } { $text }
reminder-late = { $text } { reminder-delayed }

## The meeting record (roles, meetings opened, decisions, actions)
forum-record-roles = Secretary: { $secretary } · Approver: { $approver } · Decision code: { $code }
forum-record-set = The roles of { STRONG($name) } are updated.
error-forum-code = “{ $code }” cannot be a decision code: use 1–{ $max } letters A–Z and digits, starting with a letter.
error-forum-code-taken = The code { $code } is already used by another forum of this server.
error-not-recorder = Only the chair or secretary of { STRONG($name) } or an administrator can do that.
meeting-started = The meeting of { STRONG($name) } ({ $when }) is open. Record decisions and actions now; it closes by itself { $closes } unless ended with { CODE("/meeting end") }.
meeting-ended = The meeting of { STRONG($name) } ({ $when }) is ended.
meeting-nudge = { $chair } The meeting of { STRONG($name) } is still open and closes by itself { $closes }. End it with { CODE("/meeting end") } when you are done.
meeting-auto-closed = The meeting of { STRONG($name) } ({ $when }) was left open and has been closed automatically.
error-meeting-already-open = The meeting of { STRONG($name) } ({ $when }) is already open.
error-meeting-not-startable = The meeting { $when } cannot be opened: it is cancelled or has already been held.
error-no-open-meeting = { STRONG($name) } has no open meeting. Open one with { CODE("/meeting start") }.
decision-recorded = Decision { STRONG($number) } recorded in { STRONG($name) }: { $title }
decision-supersedes = Supersedes { STRONG($number) }.
decision-superseded-by = Superseded by { STRONG($number) }.
decision-list-header = Decisions of { STRONG($name) }:
decision-list-empty = No decisions yet.
decision-line = • { STRONG($number) } { $title } ({ $name }, { $when })
decision-show-title = { STRONG($number) } { $title }
decision-show-meta = { $name } · recorded { $when } by { $by } · agenda item: { $item }
decision-show-text = { $text }
decision-search-header = Decisions matching “{ $query }”:
decision-search-empty = None found.
decision-exported = { $count ->
    [one] One decision of { STRONG($name) } as a CSV file.
   *[other] { $count } decisions of { STRONG($name) } as a CSV file.
}
decision-csv-columns = Number|Forum|Date|Title|Decision|Agenda item|Supersedes|Superseded by|Recorded by (user id)
error-decision-no-open-meeting = { STRONG($name) } has no open meeting: decisions are recorded in an open meeting. Open one with { CODE("/meeting start") }.
error-decision-unknown = There is no decision numbered “{ $number }”.
error-decision-other-forum = Decision { $number } belongs to another forum; a decision of { STRONG($name) } can only supersede one of its own.
error-agenda-item = There is no agenda item { $item }: give a number from 1 to 200.
error-search-empty = Give at least one word to search for.
action-added = Action { STRONG($id) }: { $what } — { $owner }, due { $due }.
action-done = Action { STRONG($id) } is done: { $what }
action-list-mine = Your open actions:
action-list-mine-overdue = Your overdue actions:
action-list-forum = Open actions of { STRONG($name) }:
action-list-forum-overdue = Overdue actions of { STRONG($name) }:
action-list-empty = None.
action-list-more = …and { $count } more.
action-line = • { STRONG($id) } { $what } — { $owner }, due { $due } ({ $name })
action-line-overdue = • { STRONG($id) } { $what } — { $owner }, due { $due } ({ $name }) ⚠️ overdue
action-dm-on = You now get reminders of your actions as direct messages.
action-dm-off = You no longer get reminders of your actions as direct messages.
action-reminder-before = ⏳ Your action { STRONG($id) } in { STRONG($name) } is due { $due }: { $what }. Mark it done with { CODE("/action done") }.
action-reminder-due = 📌 Your action { STRONG($id) } in { STRONG($name) } is due today ({ $due }): { $what }.
error-action-owner-not-member = { $owner } is not a member of this server: an action's owner must be.
error-action-due-past = The due date has passed. Choose today or a later day.
error-action-unknown = There is no action { $id }.
error-action-done-already = Action { $id } is already done.
template-setup-role-missing = { STRONG($name) }: the server has no role “{ $role }”; set it with { CODE("/forum edit") }.
