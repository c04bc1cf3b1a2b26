# Samverkan — svenska. Varje nyckel finns också i locales/en/main.ftl.

tier-label = { $tier ->
    [delivery] leveransnivå
    [contract] kontraktsnivå
    [business] affärsnivå
    [cross-supplier] leverantörsövergripande
   *[other] { $tier }
}
field-name = { $field ->
    [name] Namnet
    [tier] Nivån
    [title] Rubriken
    [what] Beskrivningen
   *[other] Texten
}

## Fel
error-internal = Något gick fel hos oss. Inget har ändrats. Uppge referens { STRONG($reference) } om du kontaktar administratören.
error-guild-only = Det här kommandot fungerar bara i en server.
error-not-manager = Bara medlemmar med behörigheten Hantera server eller rollen { STRONG($role) } kan göra det här.
error-channel-not-in-guild = Kanalen finns inte i den här servern. Välj en kanal i servern.
error-role-not-in-guild = Rollen finns inte i den här servern.
error-forum-unknown = Det finns inget forum som heter ”{ $name }” här. Se { CODE("/forum lista") }.
error-forum-name-taken = Det finns redan ett forum som heter { STRONG($name) } i servern. Välj ett annat namn.
error-time-zone-unknown = ”{ $zone }” är ingen känd tidszon. Ange en IANA-tidszon, till exempel Europe/Stockholm.
error-text-empty = { $field } får inte vara tomt.
error-text-too-long = { $field } får vara högst { $max } tecken.
error-text-markup = { $field } får inte innehålla formatering eller omnämnanden (tecken som * _ ~ ` | > < # @ : [ ] ( ) \).
error-text-control = { $field } innehåller otillåtna tecken.
error-language-unknown = Okänt språk. Välj sv (svenska) eller en (engelska).
error-bad-option = Ett av värdena kunde inte tolkas: { $detail }
error-missing-option = Värdet { STRONG($option) } saknas.
error-unknown-command = Okänt kommando. Skriv { CODE("/help") } för att se kommandona.
error-incomplete-command = { STRONG($command) } behöver ett ord till: { $choices }.

## Forum
forum-created = Forumet { STRONG($name) } är skapat och möts i { $channel }.
forum-details = Nivå: { $tier } · Kanal: { $channel } · Tidszon: { $time_zone } · Eskalerar till: { $escalates_to } · Ordförande: { $chair }
forum-list-empty = Servern har inga forum ännu. Skapa ett med { CODE("/forum skapa") }.
forum-list-header = { $count ->
    [one] Ett forum:
   *[other] { $count } forum:
}
forum-list-line = • { STRONG($name) } ({ $tier }) i { $channel }
forum-show-title = { STRONG($name) }

## Inställningar
settings-language-set = Jag talar nu svenska i den här servern.

## Skal
shell-help = Skriv ett kommando per rad, som i Discord: { CODE("/forum create name:\"Leveransforum\" tier:delivery channel:#leveransforum") }. Kommandon: { $commands }. Avsluta med Ctrl-D.
shell-parse-error = Raden kunde inte tolkas: { $detail }
language-name = { $code ->
    [sv] svenska
   *[en] engelska
}
shell-unknown-option = Okänt värde { STRONG($option) } för det här kommandot.

## Möten
forum-schedule-set = Mötesplanen för { STRONG($name) } är uppdaterad.
forum-schedule-line = Rytm: { $cadence } kl. { $time } ({ $zone }), { $duration } min · Påminnelser: { $reminders }
forum-schedule-none = Forumet har ingen mötesrytm ännu. Ange en med { CODE("/forum ändra") }.
forum-delivery-problem = ⚠️ Påminnelser kunde inte skickas till forumets kanal: { $problem }
meeting-next-line = Nästa möte: { $when }
meeting-list-header = Möten för { STRONG($name) }:
meeting-list-empty = Inga kommande möten.
meeting-line = • { $when }
meeting-line-moved = • { $when } (flyttat)
meeting-line-extra = • { $when } (extra möte)
meeting-line-cancelled = • { STRUCK($when) } inställt: { $reason }
meeting-scheduled = Extra möte i { STRONG($name) }: { $when }.
meeting-cancelled = Mötet i { STRONG($name) } { $when } är inställt. Skäl: { $reason }
meeting-moved = Mötet i { STRONG($name) } är flyttat från { $from } till { $to }.
meeting-dm-on = Du får nu påminnelser om { STRONG($name) } som direktmeddelanden.
meeting-dm-off = Du får inte längre påminnelser om { STRONG($name) } som direktmeddelanden.
reminder-call-for-agenda = 📋 { STRONG($name) } möts { $when }. Föreslå punkter till dagordningen och skicka frågor i förväg.
reminder-agenda-deadline = ⏳ Sista chansen att föreslå punkter till { STRONG($name) }: mötet är { $when }.
reminder-day-before = 📅 Påminnelse: { STRONG($name) } möts { $when }.
reminder-starting-soon = 🔔 { STRONG($name) } börjar { $when }.
reminder-delayed = (försenad påminnelse)
error-cadence-missing = Ange en mötesrytm (cadence), till exempel { CODE("månadsvis 2:a tisdagen") } eller { CODE("varannan-vecka torsdag") }.
error-cadence = Mötesrytmen kunde inte tolkas: { $detail }. Exempel: { CODE("veckovis måndag") }, { CODE("månadsvis sista fredagen") }, { CODE("kvartalsvis 15") }, { CODE("cron 0 13 * * 2") }.
error-cadence-too-frequent = Forum kan inte mötas oftare än en gång per dag.
error-cron = Cron-uttrycket har fel form: { $detail }. Ange fem fält: minut timme dag månad veckodag.
error-duration = Mötets längd måste vara 1–1440 minuter (angivet: { $minutes }).
error-time = ”{ $value }” är ingen tid. Skriv till exempel 13:30.
error-date = ”{ $value }” är inget datum. Skriv till exempel 2026-12-01 (eller 2026-12-01 13:30).
error-meeting-in-past = Tiden har redan passerat. Välj en tid framåt.
error-meeting-exists = Det finns redan ett möte vid den tiden.
error-meeting-unknown = Forumet har inget kommande möte { $when }. Se { CODE("/möte lista") }.
error-meeting-ambiguous = Forumet har flera möten den dagen. Ange även tiden, till exempel 2026-12-01 13:30.
error-meeting-already-cancelled = Det mötet är redan inställt.
error-meeting-not-changeable = Det mötet har redan börjat eller hållits och kan inte längre flyttas eller ställas in.
error-cancel-reason = Ange ett kort skäl (högst 300 tecken, utan formatering).
error-not-chair = Bara ordföranden för { STRONG($name) } eller en administratör kan ändra dess möten.
error-reminder-offset = ”{ $value }” är ingen påminnelsetid. Skriv till exempel { CODE("14d, 3d, 1d, 15m@") } (@ nämner deltagarrollen).
error-reminder-too-long = Påminnelsen { $value } före mötet når bakåt förbi föregående möte. Välj en kortare.
error-reminder-too-many = Högst åtta påminnelser per möte.
error-reminder-duplicate = Påminnelsen { $value } står två gånger.

## Styrningsmallar
error-template-unknown = Det finns ingen mall som heter ”{ $name }”. Tillgängliga: { $available }.
error-template-mapping-malformed = Kopplingen ”{ $entry }” har inte formen { CODE("Forumnamn=#kanal") }. Skilj kopplingarna åt med kommatecken. Inget har skapats.
error-template-mapping-duplicate = Forumet ”{ $name }” är kopplat två gånger. Inget har skapats.
error-template-mapping-forum = Mallen { $template } har inget forum som heter ”{ $name }”. Inget har skapats.
error-template-mapping-channel = Kanalen ”{ $channel }” för { $name } är ingen kanal i den här servern. Inget har skapats.
template-setup-header = Mallen { STRONG($template) }: { $created ->
    [one] ett forum skapat
   *[other] { $created } forum skapade
}, { $existing ->
    [one] ett fanns redan
   *[other] { $existing } fanns redan
}.
template-setup-created = • { STRONG($name) } skapat i { $channel } · { $cadence_sv } { $time } · eskalerar till: { $escalates_to }
template-setup-existing = • { STRONG($name) } fanns redan (i { $channel }), lämnat som det är
template-setup-unchanged = Inget ändrades: alla mallens forum fanns redan.

## Tider i ord (plattformar som inte kan visa varje läsare dess egen tidszon)
time-full = { $weekday } { $date } { $time } ({ $zone })
time-date = { $day } { $month } { $year }
weekday-name = { $day ->
    [1] måndag
    [2] tisdag
    [3] onsdag
    [4] torsdag
    [5] fredag
    [6] lördag
   *[7] söndag
}
month-name = { $month ->
    [1] januari
    [2] februari
    [3] mars
    [4] april
    [5] maj
    [6] juni
    [7] juli
    [8] augusti
    [9] september
    [10] oktober
    [11] november
   *[12] december
}
reminder-for-role = { $role } { $text }
reminder-late = { $text } { reminder-delayed }

## Protokollet (roller, öppnade möten, beslut, åtgärder)
forum-record-roles = Sekreterare: { $secretary } · Justerare: { $approver } · Beslutskod: { $code }
forum-record-set = Rollerna i { STRONG($name) } är uppdaterade.
error-forum-code = ”{ $code }” kan inte vara en beslutskod: använd 1–{ $max } bokstäver A–Z och siffror, först en bokstav.
error-forum-code-taken = Koden { $code } används redan av ett annat forum i servern.
error-not-recorder = Bara ordföranden eller sekreteraren i { STRONG($name) } eller en administratör kan göra det.
meeting-started = Mötet i { STRONG($name) } ({ $when }) är öppnat. Registrera beslut och åtgärder nu; det stängs av sig självt { $closes } om det inte avslutas med { CODE("/möte avsluta") }.
meeting-ended = Mötet i { STRONG($name) } ({ $when }) är avslutat.
meeting-nudge = { $chair } Mötet i { STRONG($name) } är fortfarande öppet och stängs av sig självt { $closes }. Avsluta det med { CODE("/möte avsluta") } när ni är klara.
meeting-auto-closed = Mötet i { STRONG($name) } ({ $when }) lämnades öppet och har stängts automatiskt.
error-meeting-already-open = Mötet i { STRONG($name) } ({ $when }) är redan öppet.
error-meeting-not-startable = Mötet { $when } kan inte öppnas: det är inställt eller redan hållet.
error-no-open-meeting = { STRONG($name) } har inget öppet möte. Öppna ett med { CODE("/möte starta") }.
decision-recorded = Beslut { STRONG($number) } registrerat i { STRONG($name) }: { $title }
decision-supersedes = Ersätter { STRONG($number) }.
decision-superseded-by = Ersatt av { STRONG($number) }.
decision-list-header = Beslut i { STRONG($name) }:
decision-list-empty = Inga beslut ännu.
decision-line = • { STRONG($number) } { $title } ({ $name }, { $when })
decision-show-title = { STRONG($number) } { $title }
decision-show-meta = { $name } · registrerat { $when } av { $by } · dagordningspunkt: { $item }
decision-show-text = { $text }
decision-search-header = Beslut som matchar ”{ $query }”:
decision-search-empty = Inga träffar.
decision-exported = { $count ->
    [one] Ett beslut i { STRONG($name) } som CSV-fil.
   *[other] { $count } beslut i { STRONG($name) } som CSV-fil.
}
decision-csv-columns = Nummer|Forum|Datum|Rubrik|Beslut|Dagordningspunkt|Ersätter|Ersatt av|Registrerat av (användar-id)
error-decision-no-open-meeting = { STRONG($name) } har inget öppet möte: beslut registreras i ett öppet möte. Öppna ett med { CODE("/möte starta") }.
error-decision-unknown = Det finns inget beslut med nummer ”{ $number }”.
error-decision-other-forum = Beslut { $number } hör till ett annat forum; ett beslut i { STRONG($name) } kan bara ersätta forumets egna.
error-agenda-item = Det finns ingen dagordningspunkt { $item }: ange ett nummer från 1 till 200.
error-search-empty = Ange minst ett ord att söka efter.
action-added = Åtgärd { STRONG($id) }: { $what } — { $owner }, klart senast { $due }.
action-done = Åtgärd { STRONG($id) } är klar: { $what }
action-list-mine = Dina öppna åtgärder:
action-list-mine-overdue = Dina försenade åtgärder:
action-list-forum = Öppna åtgärder i { STRONG($name) }:
action-list-forum-overdue = Försenade åtgärder i { STRONG($name) }:
action-list-empty = Inga.
action-list-more = …och { $count } till.
action-line = • { STRONG($id) } { $what } — { $owner }, klart senast { $due } ({ $name })
action-line-overdue = • { STRONG($id) } { $what } — { $owner }, klart senast { $due } ({ $name }) ⚠️ försenad
action-dm-on = Du får nu påminnelser om dina åtgärder som direktmeddelanden.
action-dm-off = Du får inte längre påminnelser om dina åtgärder som direktmeddelanden.
action-reminder-before = ⏳ Din åtgärd { STRONG($id) } i { STRONG($name) } ska vara klar { $due }: { $what }. Markera den klar med { CODE("/åtgärd klar") }.
action-reminder-due = 📌 Din åtgärd { STRONG($id) } i { STRONG($name) } ska vara klar i dag ({ $due }): { $what }.
error-action-owner-not-member = { $owner } är inte medlem i servern: en åtgärds ansvarige måste vara det.
error-action-due-past = Datumet har passerat. Välj i dag eller en senare dag.
error-action-unknown = Det finns ingen åtgärd { $id }.
error-action-done-already = Åtgärd { $id } är redan klar.
template-setup-role-missing = { STRONG($name) }: servern har ingen roll ”{ $role }”; ange den med { CODE("/forum ändra") }.
