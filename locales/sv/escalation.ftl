# Escalations up the ladder, and the generated lines under an agenda's standing items.

## Feeds under standing items
agenda-line-feed = { $n }. { $title }
feed-title-previous-minutes = Föregående minnesanteckningar
feed-title-escalations = Inkomna eskaleringar
feed-title-open-actions = Öppna åtgärder
feed-action =     • Åtgärd { STRONG($id) }: { $what } — { $who } — senast { $due }
feed-escalation =     • Eskalering { STRONG($id) }: { $subject } ({ $state }) — { $from }. Skäl: { $reason }
feed-escalation-from = från { STRONG($name) }
feed-escalation-from-meeting = från { STRONG($name) }, mötet { $when }
feed-escalation-step =         ↳ tidigare: { $from } → { $to }: { $reason }
feed-outcome-resolved =     • Vår eskalering { STRONG($id) } ({ $subject }) till { STRONG($name) } är avgjord: beslut { $number }
feed-outcome-returned =     • Vår eskalering { STRONG($id) } ({ $subject }) återsändes av { STRONG($name) }: { $reason }

## States
escalation-state-open = öppen
escalation-state-accepted = accepterad
escalation-state-resolved = avgjord
escalation-state-returned = återsänd

## Replies
escalation-raised = Eskalering { STRONG($id) } till { STRONG($name) }: { $subject }. Den står på { $name }s nästa dagordning och ordföranden där har fått besked.
escalation-accepted = Eskalering { STRONG($id) } ({ $subject }) är accepterad av { STRONG($name) }.
escalation-resolved = Eskalering { STRONG($id) } ({ $subject }) är avgjord med beslut { $number }. { $from } får besked.
escalation-returned = Eskalering { STRONG($id) } ({ $subject }) är återsänd till { STRONG($from) }, som får besked.
escalation-list-header = Eskaleringar ({ $count }):
escalation-list-header-forum = Eskaleringar till och från { STRONG($name) } ({ $count }):
escalation-list-empty = Inga eskaleringar.
escalation-list-line = • { STRONG($id) } { $from } → { $to }: { $subject } — { $state }{ $detail }
escalation-list-resolved = , beslut { $number }
escalation-list-returned = : { $reason }

## Notices in channels
escalation-notice-arrived = { $role } Ny eskalering { STRONG($id) } från { STRONG($from) }: { $subject }. Skäl: { $reason }. Den står på nästa dagordning för { STRONG($name) }.
escalation-notice-arrived-nochair = Ny eskalering { STRONG($id) } från { STRONG($from) }: { $subject }. Skäl: { $reason }. Den står på nästa dagordning för { STRONG($name) }.
escalation-notice-accepted = Eskalering { STRONG($id) } ({ $subject }) är accepterad av { STRONG($name) }: den står på deras dagordning tills de avgör eller återsänder den.
escalation-notice-resolved = Eskalering { STRONG($id) } ({ $subject }) till { STRONG($name) } är avgjord med beslut { $number }.
escalation-notice-returned = Eskalering { STRONG($id) } ({ $subject }) återsändes av { STRONG($name) }: { $reason }

## Refusals
escalation-error-top = { STRONG($name) } är högst upp på stegen: det finns inget forum att eskalera till.
escalation-error-unknown = Det finns ingen eskalering { $id }.
escalation-error-not-chair = Bara ordföranden i { STRONG($name) } (dit eskaleringen gick) eller en administratör kan göra det.
escalation-error-already = Eskalering { STRONG($id) } är redan { $state }. Inget ändrades.
escalation-error-closed = Eskalering { STRONG($id) } är { $state } och kan inte ändras längre.
escalation-error-changed = Eskalering { STRONG($id) } ändrades just av någon annan: den är nu { $state }. Inget ändrades.
escalation-error-decision-unknown = Det finns inget beslut { $number }.
escalation-error-decision-other-forum = Beslut { $number } fattades i { STRONG($other) }, inte i { STRONG($name) }: en eskalering avgörs med ett beslut av forumet den eskalerades till.
escalation-error-item-unknown = { STRONG($name) } har ingen dagordningspunkt { $id }.
escalation-error-not-received = Eskalering { STRONG($id) } gick inte till { STRONG($name) }: bara forumet som tog emot den kan eskalera den vidare.
escalation-error-not-active = Eskalering { STRONG($id) } är { $state }: bara öppna och accepterade eskaleringar kan eskaleras vidare.
escalation-error-state = { $value } är inget läge: öppen, accepterad, avgjord eller återsänd.
escalation-error-empty = { $field } får inte vara tomt.
escalation-error-too-long = { $field } får vara högst { $max } tecken.
escalation-error-control = { $field } innehåller otillåtna tecken.
escalation-field-subject = Ämnet
escalation-field-reason = Skälet

## Commands
cmd-escalate = eskalera
    .description = Eskalera en fråga till forumet en nivå upp
cmd-escalate-item = punkt
    .description = Eskalera en dagordningspunkt med ett skäl
    .item = punkt
    .item-description = Dagordningspunktens nummer (#12)
    .reason = skäl
    .reason-description = Varför den eskaleras
cmd-escalate-issue = fråga
    .description = Eskalera en fråga i fritext med ett skäl
    .forum = forum
    .forum-description = Forumet som eskalerar
    .subject = ämne
    .subject-description = Vad det gäller
    .reason = skäl
    .reason-description = Varför den eskaleras
cmd-escalate-onward = vidare
    .description = Eskalera en mottagen eskalering vidare uppåt
    .id = id
    .id-description = Den mottagna eskaleringens nummer
    .reason = skäl
    .reason-description = Varför den eskaleras vidare
cmd-escalation = eskalering
    .description = Registret över eskaleringar
cmd-escalation-list = lista
    .description = Eskaleringar: öppna, accepterade, avgjorda, återsända
    .forum = forum
    .forum-description = Bara till och från detta forum
    .state = läge
    .state-description = öppen, accepterad, avgjord eller återsänd
cmd-escalation-accept = acceptera
    .description = Acceptera en eskalering (ordföranden i mottagande forum)
    .id = id
    .id-description = Eskaleringens nummer
cmd-escalation-resolve = avgör
    .description = Avgör en eskalering med ett beslut av mottagande forum
    .id = id
    .id-description = Eskaleringens nummer
    .decision = beslut
    .decision-description = Beslutets nummer (VF-2026-03)
cmd-escalation-return = återsänd
    .description = Återsänd en eskalering med ett skäl
    .id = id
    .id-description = Eskaleringens nummer
    .reason = skäl
    .reason-description = Varför den återsänds
