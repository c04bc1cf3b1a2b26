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
