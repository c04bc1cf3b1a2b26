# Anonym visselblåsning — svenska. Varje nyckel finns också i locales/en/whistleblowing.ftl.

## Rapportör
wb-panel = { STRONG("Rapportera missförhållanden — konfidentiellt") }
    Använd knappen nedan (eller { CODE("/visselblåsning rapportera") }) för att berätta om oegentligheter som samverkan mellan leverantörer, mutor eller brott i en upphandling. Bara de utsedda handläggarna kan läsa det du skriver; det krypteras, och ditt Discordkonto sparas inte med det.
    {""}{ STRONG("Vad händer sedan:") } du får en ärendekod och en hemlighet. Handläggarna bekräftar mottagandet inom { STRONG("7 dagar") } och återkopplar inom { STRONG("3 månader") }. Läs deras svar och lägg till uppgifter med { CODE("/visselblåsning uppfölj") }.
    {""}{ STRONG("Andra sätt att rapportera:") } du kan rapportera muntligt (per telefon) eller begära ett fysiskt möte med en handläggare. För upphandling och samverkan kan du också vända dig till den externa kanalen: { STRONG("Konkurrensverkets visselblåsarfunktion") } (konkurrensverket.se).
    {""}{ STRONG("Observera:") } Discord självt kan se det du skickar här (ditt konto, din enhet och texten). Om det spelar roll för dig, använd webbformuläret eller en annan kanal.
wb-panel-web = { STRONG("Webbformulär (utanför Discord, inget konto):") } { $url }
wb-button-report = Rapportera
wb-button-followup = Följ upp
wb-modal-report-title = Konfidentiell rapport
wb-modal-what = Vad har hänt?
wb-modal-when-where = När och var?
wb-modal-who = Vilka är inblandade?
wb-modal-evidence = Bevis, eller var de finns (frivilligt)
wb-modal-contact = Kontaktuppgifter om du vill (frivilligt)
wb-modal-followup-title = Följ upp din rapport
wb-modal-code = Ärendekod
wb-modal-secret = Hemlighet
wb-modal-addition = Nya uppgifter (frivilligt)
wb-receipt = Din rapport är mottagen.
    Ärendekod: { STRONG($code) }
    Hemlighet: { STRONG($secret) }
    Spara båda på ett säkert ställe, nu: de visas { STRONG("bara denna gång") } och ingen, inte ens handläggarna, kan återskapa dem. Med dem visar { CODE("/visselblåsning uppfölj") } handläggarnas svar och låter dig lägga till uppgifter. Mottagandet bekräftas inom 7 dagar; återkoppling kommer inom 3 månader.
wb-followup-status = Ärende { STRONG($code) } — status: { $status }
wb-followup-added = Dina nya uppgifter har lagts till i ärendet.
wb-followup-no-messages = Inga meddelanden ännu.
wb-author-reporter = Du
wb-author-handler = Handläggare
wb-message-line = { $date } · { STRONG($author, ":") } { $text }
wb-access-denied = Ärendekoden och hemligheten stämmer inte med något öppet ärende som du har tillgång till. Kontrollera dem och försök igen senare.
wb-slow-down = Just nu skickas för många rapporter. Försök igen senare, eller använd någon av de andra kanalerna på panelen.
wb-no-handlers = Rapportkanalen är inte klar ännu: inga handläggare har lagts upp. Använd någon av de andra kanalerna på panelen.
wb-case-closed = Ärendet är avslutat; inget mer kan läggas till.
wb-field = { $field ->
    [what] ”Vad har hänt”
    [when_where] ”När och var”
    [who] ”Vilka är inblandade”
    [evidence] ”Bevis”
    [contact] ”Kontaktuppgifter”
   *[message] Meddelandet
}
wb-field-missing = { $field } måste fyllas i.
wb-field-too-long = { $field } får vara högst { $max } tecken.
wb-field-unreadable = { $field } innehåller tecken som inte går att läsa. Skriv vanlig text.
wb-invalid-request = Begäran gick inte att läsa. Försök igen.

## Status
wb-status = { $status ->
    [received] mottaget
    [acknowledged] bekräftat
    [in_progress] under utredning
   *[closed] avslutat
}
wb-outcome = { $outcome ->
    [substantiated] styrkt
    [not_substantiated] inte styrkt
    [referred_externally] överlämnat till extern myndighet
   *[no_action] ingen åtgärd
}

## Handläggare
wb-not-handler = Bara de utsedda visselblåsarhandläggarna kan använda detta kommando.
wb-handler-no-key = Du har ingen handläggarnyckel ännu. Driftansvarig skapar den med { CODE("samverkan handler add --user <ditt id>") }.
wb-handler-exists = Handläggaren har redan en nyckel.
wb-passphrase-too-short = Lösenfrasen måste vara minst 12 tecken.
wb-wrong-passphrase = Fel lösenfras.
wb-case-unknown = Inget sådant ärende bland dina.
wb-list-empty = Du har inga ärenden.
wb-list-header = { $count ->
    [one] Ett ärende:
   *[other] { $count } ärenden:
}
wb-list-line = { $overdue ->
    [yes] ⚠️ { STRONG("FÖRSENAT") } · 
   *[no] {""}
}{ STRONG($code) } · { $status } · mottaget { $received } · { $next }
wb-deadline = { $kind ->
    [acknowledge] bekräfta senast
    [feedback] återkoppla senast
   *[purge] gallras
} { $due }{ $overdue ->
    [yes] {" "}(försenat)
   *[no] {""}
}
wb-deadline-none = ingen tidsfrist
wb-none = —
wb-text = { $text }
wb-view-header = { STRONG("Ärende ", $code) } · { $status } · mottaget { $received }
wb-view-what = { STRONG("Vad har hänt:") } { $text }
wb-view-when-where = { STRONG("När och var:") } { $text }
wb-view-who = { STRONG("Vilka är inblandade:") } { $text }
wb-view-evidence = { STRONG("Bevis:") } { $text }
wb-view-contact = { STRONG("Kontaktuppgifter:") } { $text }
wb-modal-passphrase = Din lösenfras som handläggare
wb-modal-view-title = Öppna ärende
wb-modal-reply-title = Svara rapportören
wb-modal-message = Meddelande till rapportören
wb-status-unknown = Okänd status. Välj acknowledged eller in_progress.
wb-close-with-outcome = Avsluta ett ärende med { CODE("/ärende avsluta") } och ett utfall.
wb-outcome-unknown = Okänt utfall. Välj substantiated, not_substantiated, referred_externally eller no_action.
wb-transition-refused = Ett ärende kan inte gå från { $from } till { $to }.
wb-status-changed = Ärende { STRONG($code) } är nu { $status }.
wb-closed-outcome = Utfall: { $outcome }.
wb-reply-sent = Ditt svar i ärende { STRONG($code) } är sparat, krypterat. Rapportören ser det vid nästa uppföljning.
wb-exclude-not-on-case = Den handläggaren finns inte på ärendet.
wb-exclude-last = Ett ärendes sista handläggare kan inte uteslutas.
wb-excluded = Handläggaren är utesluten från ärende { STRONG($code) } och kan inte längre öppna det.
wb-panel-posted = Panelen är publicerad.

## Meddelanden till handläggare (fasta, utan innehåll)
wb-notice-new-report = En ny visselblåsarrapport har kommit in. Handläggare: se { CODE("/ärende lista") }.
wb-notice-new-followup = En rapportör har följt upp ett visselblåsarärende. Handläggare: se { CODE("/ärende lista") }.
wb-notice-digest = Det finns ny visselblåsaraktivitet sedan förra sammanfattningen. Handläggare: se { CODE("/ärende lista") }.
wb-notice-reminder = Påminnelse om tidsfrist i visselblåsning ({ $kind ->
    [ack_soon] bekräftelse snart
    [ack_due_today] bekräftelse i dag
    [ack_overdue] bekräftelse försenad
    [feedback_in_14_days] återkoppling om 14 dagar
    [feedback_in_3_days] återkoppling om 3 dagar
    [feedback_overdue] återkoppling försenad
   *[purge_in_14_days] ett avslutat ärende gallras om 14 dagar
}). Handläggare: se { CODE("/ärende lista") }.

## Handläggar-CLI
wb-handler-added = Handläggarnyckeln är skapad och sparad.

## Kommandon (cmd- + kommandots fullständiga engelska namn; attribut är parametrarna)
cmd-whistleblow = visselblåsning
    .description = Rapportera missförhållanden konfidentiellt
cmd-whistleblow-report = rapportera
    .description = Skicka en konfidentiell rapport (bara du ser svaren)
    .exclude = utan
    .exclude-description = En handläggare som inte ska få läsa din rapport (valfritt)
    .also_exclude = också_utan
    .also_exclude-description = Ytterligare en handläggare som inte ska få läsa din rapport (valfritt)
cmd-whistleblow-followup = uppfölj
    .description = Följ upp din rapport med ärendekod och hemlighet
cmd-whistleblow-panel = panel
    .description = Publicera rapportpanelen i den här kanalen (administratörer)
cmd-case = ärende
    .description = Visselblåsarärenden (bara utsedda handläggare)
cmd-case-list = lista
    .description = Dina ärenden: kod, status, tidsfrister
cmd-case-view = visa
    .description = Öppna ett ärende (frågar efter din lösenfras)
    .case = ärende
    .case-description = Ärendekoden, t.ex. VB-7K2M-Q9XD
cmd-case-ack = bekräfta
    .description = Bekräfta mottagandet av ett ärende
    .case = ärende
    .case-description = Ärendekoden
cmd-case-reply = svara
    .description = Svara rapportören, krypterat (frågar efter din lösenfras)
    .case = ärende
    .case-description = Ärendekoden
cmd-case-status = status
    .description = Sätt ett ärendes status
    .case = ärende
    .case-description = Ärendekoden
    .status = status
    .status-description = acknowledged eller in_progress
cmd-case-close = avsluta
    .description = Avsluta ett ärende med ett utfall
    .case = ärende
    .case-description = Ärendekoden
    .outcome = utfall
    .outcome-description = substantiated, not_substantiated, referred_externally eller no_action
cmd-case-exclude = uteslut
    .description = Uteslut en jävig handläggare från ett ärende
    .case = ärende
    .case-description = Ärendekoden
    .handler = handläggare
    .handler-description = Handläggaren som ska uteslutas

## Issue 12: kontinuitet, ansvarsfull jäv-hantering, härdning.
wb-link-warning = { $line }
    ⚠ Meddelandet innehåller en länk, visad som vanlig text. Att öppna den kan avslöja vem du är (din nätverksadress och enhet) för den som driver webbplatsen.
wb-exclude-all = Du bad om att utesluta alla handläggare. Minst en handläggare måste kunna läsa din rapport; använd i stället någon av de andra kanalerna på panelen.
wb-followup-slow-down = Vänta en minut innan du följer upp igen.
wb-passphrase-wait = För många felaktiga lösenfraser. Försök igen om { $minutes } minuter.
wb-recovery-key-invalid = Det är inte återställningsnyckeln som anges i whistleblowing.recovery_public_key.
wb-recovery-not-configured = Ingen återställningsnyckel är konfigurerad (whistleblowing.recovery_public_key).
wb-recovery-no-handler = Användaren är inte en aktuell handläggare: hen måste finnas i whistleblowing.handlers, ha en nyckel och ha sitt fingeravtryck i whistleblowing.fingerprints.
wb-list-locked =     ↳ låst efter felaktiga hemligheter till { $until } (häv med /case unlock)
wb-list-flagged =     ↳ inkom när timgränsen var överskriden (flaggad: kanske en flod)
wb-changed-meanwhile = Ärendet ändrades av någon annan samtidigt. Titta på det igen och försök på nytt.
wb-feedback-ack-first = Bekräfta mottagandet av ärendet först (/case ack).
wb-feedback-recorded = Återkopplingen till rapportören i ärende { $code } är registrerad.
wb-exclude-requested = Uteslutning från ärende { $code } begärd. En andra handläggare måste godkänna den genom att köra samma kommando.
wb-exclude-needs-second = Du har redan begärt den här uteslutningen från ärende { $code }. En andra handläggare måste godkänna den.
wb-exclude-already = Handläggaren är redan utesluten från ärendet.
wb-audit-header = Åtkomstlogg för ärende { $code }:
wb-audit-line = { $at } · { $handler } · { $action }
wb-lock-lifted = Låset på ärende { $code } är hävt; rapportören kan följa upp igen.
wb-notice-flagged = Visselblåsarrapporter kom in i dag medan timgränsen var överskriden. De är sparade och flaggade i /case list.
wb-notice-exclusion-requested = En handläggare har begärt att en annan utesluts från ett visselblåsarärende. En andra handläggare måste godkänna: se /case audit.
wb-notice-excluded = En handläggare har uteslutits från ett visselblåsarärende. Se /case audit.
wb-notice-unreadable = { $cases } { $cases ->
        [one] visselblåsarärende
       *[other] visselblåsarärenden
    } kan inte öppnas av någon aktuell handläggare ({ $recoverable } kan återställas med operatörens återställningsnyckel). Se README, "Recovery".
cmd-case-feedback = återkoppling
    .description = Registrera att rapportören fått återkoppling (tremånadersfristen)
    .case = ärende
    .case-description = Ärendekoden
cmd-case-audit = logg
    .description = Visa ett ärendes åtkomstlogg
    .case = ärende
    .case-description = Ärendekoden
cmd-case-unlock = lås-upp
    .description = Häv ett lås efter felaktiga hemligheter så att rapportören kan följa upp
    .case = ärende
    .case-description = Ärendekoden
