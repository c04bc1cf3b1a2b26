## Running a meeting: the record's thread, attendance, consent, the agenda's entries, notes

ctx-note-add = Add to minutes

run-thread-name = { $name } { $date }
run-thread-starter = { STRONG("Meeting record") } of { STRONG($name) }, { $when }. Press { STRONG("I'm here") } to be on the attendance list. Use { CODE("/note") } or the message menu { STRONG("Add to minutes") } on a message in this thread for the minutes.
run-started-thread = The record is kept in a thread in { $channel }.
run-agenda-thread = The meeting is under way: its record is in { $thread }.

run-button-here = I'm here
run-button-next = Next item
run-button-consent-yes = Yes, I consent
run-button-consent-no = No

run-field-name = The name
run-field-organisation = The organisation
run-field-role = The role
run-field-note = The note
run-error-empty = { $field } is empty.
run-error-too-long = { $field } is too long (at most { $max } characters).

run-error-which-meeting = Which meeting? Name the forum, or use the command in the meeting's thread or the forum's channel.
run-error-no-meeting = { STRONG($name) } has no meeting open. Start it with { CODE("/meeting start") }.
run-error-meeting-over = The meeting of { STRONG($name) } is over; its record can no longer change here.
run-error-list-full = The attendance list is full ({ $max } people).
run-error-presence = “{ $value }” is not a presence: use present, absent or guest (närvarande, frånvarande, gäst).
run-error-no-attendee = Nobody called “{ $name }” is on the attendance list. See { CODE("/meeting attendees") }.
run-error-consent-asked = Consent to recording has already been asked for in this meeting.
run-error-consent-not-asked = The chair has not asked for consent to recording in this meeting.
run-error-no-items = The agenda of this meeting has no items to go through.
run-error-past-end = Item { $last } was the last on the agenda. End the meeting with { CODE("/meeting end") }.
run-error-no-such-item = The agenda has no item { $item } (items 1–{ $last }).
run-error-note-outside-thread = Only messages in a running meeting's thread can be added to its minutes. Use { CODE("/note") } instead.

run-presence-present = present
run-presence-absent = absent
run-presence-guest = guest
run-consent-yes = consents to recording
run-consent-no = does not consent to recording
run-consent-unanswered = has not answered about recording

run-here-recorded = You are on the attendance list of { STRONG($name) }.
run-here-already = You were already on the attendance list of { STRONG($name) }; nothing changed.
run-attendee-added = { $updated ->
        [yes] Updated on the attendance list:
       *[no] Added to the attendance list:
    } { STRONG($name) } ({ $presence }).
run-attendee-removed = { STRONG($name) } is no longer on the attendance list.
run-attendance-header = { STRONG("Attendance") } at { STRONG($name) }, { $when } ({ $count })
run-attendance-empty = Nobody yet.
run-attendee-line = • { STRONG($name) }{ $organisation }{ $role } – { $presence }{ $consent }
run-attendee-org = , { $org }
run-attendee-role = , { $role }
run-attendee-consent = , { $answer }

run-consent-prompt = { STRONG("Consent to recording") }: the chair asks whether you agree to this meeting being recorded. Answer with the buttons; you can change your answer.
run-consent-question = Do you consent to the meeting being recorded?
run-consent-asked = Consent to recording is asked for in the meeting's thread.
run-consent-recorded = Your answer is recorded: { $answer }.

run-entry-questions = Questions in advance ({ $count })
run-item-current = { STRONG("Now") }: { $n }. { STRONG($title) }
run-item-current-timed = { STRONG("Now") }: { $n }. { STRONG($title) } – { $minutes } min, until { $ends }
run-item-overrun = The timebox of item { $n }. { STRONG($title) } ({ $minutes } min) is used up.

run-note-added = Added to the minutes under item { $item }.
run-note-already = That is already in the minutes (under item { $item }); nothing changed.

cmd-note = note
    .description = Add a note to the minutes, under the current agenda item (secretary or chair)
    .text = text
    .text-description = The note
    .item = item
    .item-description = Number of the agenda item (default: the current one)
    .forum = forum
    .forum-description = The forum (default: this thread's or channel's)
cmd-meeting-here = here
    .description = Put yourself on the running meeting's attendance list
    .forum = forum
    .forum-description = The forum (default: this thread's or channel's)
cmd-meeting-item = item
    .description = The running meeting's agenda items
cmd-meeting-item-next = next
    .description = Move to the next item of the agenda (chair or secretary)
    .forum = forum
    .forum-description = The forum (default: this thread's or channel's)
cmd-meeting-attendee-add = attendee-add
    .description = Add an absentee, a guest or someone present to the attendance list (chair or secretary)
    .name = name
    .name-description = Their name
    .presence = presence
    .presence-description = present, absent or guest
    .organisation = organisation
    .organisation-description = Their organisation
    .role = role
    .role-description = Their role in the forum
    .member = member
    .member-description = The member, if they are in the server
    .forum = forum
    .forum-description = The forum (default: this thread's or channel's)
cmd-meeting-attendee-remove = attendee-remove
    .description = Take a wrong entry off the attendance list (chair or secretary)
    .name = name
    .name-description = The name as listed
    .forum = forum
    .forum-description = The forum (default: this thread's or channel's)
cmd-meeting-attendees = attendees
    .description = The running meeting's attendance list, with answers about recording
    .forum = forum
    .forum-description = The forum (default: this thread's or channel's)
cmd-meeting-consent = consent
    .description = Ask every attendee for consent to recording the meeting (chair or secretary)
    .forum = forum
    .forum-description = The forum (default: this thread's or channel's)
cmd-meeting-consent-answer = consent-answer
    .description = Answer whether you consent to the meeting being recorded
    .answer = answer
    .answer-description = Yes or no
    .forum = forum
    .forum-description = The forum (default: this thread's or channel's)
