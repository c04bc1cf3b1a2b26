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
error-internal = Något gick fel hos oss. Inget har ändrats. Uppge referens **{ $reference }** om du kontaktar administratören.
error-guild-only = Det här kommandot fungerar bara i en server.
error-not-manager = Bara medlemmar med behörigheten Hantera server eller rollen **{ $role }** kan göra det här.
error-channel-not-in-guild = Kanalen finns inte i den här servern. Välj en kanal i servern.
error-role-not-in-guild = Rollen finns inte i den här servern.
error-forum-unknown = Det finns inget forum som heter ”{ $name }” här. Se `/forum lista`.
error-forum-name-taken = Det finns redan ett forum som heter **{ $name }** i servern. Välj ett annat namn.
error-time-zone-unknown = ”{ $zone }” är ingen känd tidszon. Ange en IANA-tidszon, till exempel Europe/Stockholm.
error-text-empty = { $field } får inte vara tomt.
error-text-too-long = { $field } får vara högst { $max } tecken.
error-text-markup = { $field } får inte innehålla formatering eller omnämnanden (tecken som * _ ~ ` | > < # @ : [ ] ( ) \).
error-text-control = { $field } innehåller otillåtna tecken.
error-language-unknown = Okänt språk. Välj sv (svenska) eller en (engelska).
error-bad-option = Ett av värdena kunde inte tolkas: { $detail }
error-missing-option = Värdet **{ $option }** saknas.
error-unknown-command = Okänt kommando. Skriv `/help` för att se kommandona.

## Forum
forum-created = Forumet **{ $name }** är skapat och möts i { $channel }.
forum-details = Nivå: { $tier } · Kanal: { $channel } · Tidszon: { $time_zone } · Eskalerar till: { $escalates_to } · Ordförande: { $chair }
forum-list-empty = Servern har inga forum ännu. Skapa ett med `/forum skapa`.
forum-list-header = { $count ->
    [one] Ett forum:
   *[other] { $count } forum:
}
forum-list-line = • **{ $name }** ({ $tier }) i { $channel }
forum-show-title = **{ $name }**

## Inställningar
settings-language-set = Jag talar nu svenska i den här servern.

## Skal
shell-help = Skriv ett kommando per rad, som i Discord: `/forum create name:"Leveransforum" tier:delivery channel:#leveransforum`. Kommandon: /forum create, /forum list, /forum show, /settings language. Avsluta med Ctrl-D.
shell-parse-error = Raden kunde inte tolkas: { $detail }
language-name = { $code ->
    [sv] svenska
   *[en] engelska
}
shell-unknown-option = Okänt värde **{ $option }** för det här kommandot.
