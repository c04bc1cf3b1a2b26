## Att hålla ett möte: protokolltråden, närvaro, samtycke, dagordningens punkter, anteckningar

ctx-note-add = Lägg till i protokollet

run-thread-name = { $name } { $date }
run-thread-starter = { STRONG("Mötesprotokoll") } för { STRONG($name) }, { $when }. Tryck på { STRONG("Jag är här") } för att komma med på närvarolistan. Använd { CODE("/anteckning") } eller meddelandemenyn { STRONG("Lägg till i protokollet") } på ett meddelande i den här tråden för protokollet.
run-started-thread = Protokollet förs i en tråd i { $channel }.
run-agenda-thread = Mötet pågår: protokollet förs i { $thread }.

run-button-here = Jag är här
run-button-next = Nästa punkt
run-button-consent-yes = Ja, jag samtycker
run-button-consent-no = Nej

run-field-name = Namnet
run-field-organisation = Organisationen
run-field-role = Rollen
run-field-note = Anteckningen
run-error-empty = { $field } är tomt.
run-error-too-long = { $field } är för långt (högst { $max } tecken).

run-error-which-meeting = Vilket möte? Ange forumet, eller använd kommandot i mötets tråd eller forumets kanal.
run-error-no-meeting = { STRONG($name) } har inget öppet möte. Starta det med { CODE("/möte starta") }.
run-error-meeting-over = Mötet i { STRONG($name) } är avslutat; dess protokoll kan inte längre ändras här.
run-error-list-full = Närvarolistan är full ({ $max } personer).
run-error-presence = ”{ $value }” är ingen närvaro: använd närvarande, frånvarande eller gäst (present, absent, guest).
run-error-no-attendee = Ingen som heter ”{ $name }” finns på närvarolistan. Se { CODE("/möte närvarolista") }.
run-error-consent-asked = Samtycke till inspelning har redan efterfrågats på det här mötet.
run-error-consent-not-asked = Ordföranden har inte bett om samtycke till inspelning på det här mötet.
run-error-no-items = Mötets dagordning har inga punkter att gå igenom.
run-error-past-end = Punkt { $last } var den sista på dagordningen. Avsluta mötet med { CODE("/möte avsluta") }.
run-error-no-such-item = Dagordningen har ingen punkt { $item } (punkterna 1–{ $last }).
run-error-note-outside-thread = Bara meddelanden i ett pågående mötes tråd kan läggas till i protokollet. Använd { CODE("/anteckning") } i stället.

run-presence-present = närvarande
run-presence-absent = frånvarande
run-presence-guest = gäst
run-consent-yes = samtycker till inspelning
run-consent-no = samtycker inte till inspelning
run-consent-unanswered = har inte svarat om inspelning

run-here-recorded = Du står på närvarolistan för { STRONG($name) }.
run-here-already = Du stod redan på närvarolistan för { STRONG($name) }; inget ändrades.
run-attendee-added = { $updated ->
        [yes] Ändrad på närvarolistan:
       *[no] Tillagd på närvarolistan:
    } { STRONG($name) } ({ $presence }).
run-attendee-removed = { STRONG($name) } står inte längre på närvarolistan.
run-attendance-header = { STRONG("Närvaro") } vid { STRONG($name) }, { $when } ({ $count })
run-attendance-empty = Ingen ännu.
run-attendee-line = • { STRONG($name) }{ $organisation }{ $role } – { $presence }{ $consent }
run-attendee-org = , { $org }
run-attendee-role = , { $role }
run-attendee-consent = , { $answer }

run-consent-prompt = { STRONG("Samtycke till inspelning") }: ordföranden frågar om du godkänner att mötet spelas in. Svara med knapparna; du kan ändra ditt svar.
run-consent-question = Samtycker du till att mötet spelas in?
run-consent-asked = Samtycke till inspelning efterfrågas i mötets tråd.
run-consent-recorded = Ditt svar är registrerat: { $answer }.

run-entry-questions = Frågor i förväg ({ $count })
run-item-current = { STRONG("Nu") }: { $n }. { STRONG($title) }
run-item-current-timed = { STRONG("Nu") }: { $n }. { STRONG($title) } – { $minutes } min, till { $ends }
run-item-overrun = Tiden för punkt { $n }. { STRONG($title) } ({ $minutes } min) är slut.

run-note-added = Tillagt i protokollet under punkt { $item }.
run-note-already = Det finns redan i protokollet (under punkt { $item }); inget ändrades.

cmd-note = anteckning
    .description = Lägg till en anteckning i protokollet, under aktuell punkt (sekreterare eller ordförande)
    .text = text
    .text-description = Anteckningen
    .item = punkt
    .item-description = Dagordningspunktens nummer (standard: den aktuella)
    .forum = forum
    .forum-description = Forumet (standard: trådens eller kanalens)
cmd-meeting-here = här
    .description = Sätt upp dig på det pågående mötets närvarolista
    .forum = forum
    .forum-description = Forumet (standard: trådens eller kanalens)
cmd-meeting-item = punkt
    .description = Det pågående mötets dagordningspunkter
cmd-meeting-item-next = nästa
    .description = Gå till nästa punkt på dagordningen (ordförande eller sekreterare)
    .forum = forum
    .forum-description = Forumet (standard: trådens eller kanalens)
cmd-meeting-attendee-add = deltagare-lägg-till
    .description = Lägg till frånvarande, gäst eller närvarande på närvarolistan (ordförande, sekreterare)
    .name = namn
    .name-description = Namnet
    .presence = närvaro
    .presence-description = närvarande, frånvarande eller gäst
    .organisation = organisation
    .organisation-description = Organisationen
    .role = roll
    .role-description = Rollen i forumet
    .member = medlem
    .member-description = Medlemmen, om personen finns i servern
    .forum = forum
    .forum-description = Forumet (standard: trådens eller kanalens)
cmd-meeting-attendee-remove = deltagare-ta-bort
    .description = Ta bort en felaktig rad från närvarolistan (ordförande eller sekreterare)
    .name = namn
    .name-description = Namnet som det står
    .forum = forum
    .forum-description = Forumet (standard: trådens eller kanalens)
cmd-meeting-attendees = närvarolista
    .description = Det pågående mötets närvarolista, med svaren om inspelning
    .forum = forum
    .forum-description = Forumet (standard: trådens eller kanalens)
cmd-meeting-consent = samtycke
    .description = Be alla deltagare om samtycke till att mötet spelas in (ordförande eller sekreterare)
    .forum = forum
    .forum-description = Forumet (standard: trådens eller kanalens)
cmd-meeting-consent-answer = samtycke-svar
    .description = Svara om du samtycker till att mötet spelas in
    .answer = svar
    .answer-description = Ja eller nej
    .forum = forum
    .forum-description = Forumet (standard: trådens eller kanalens)
