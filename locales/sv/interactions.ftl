## Formulär, knappar och meddelandemenyer (delade av alla kommandon som använder dem)

error-field-length = { $field } ska vara { $min }–{ $max } tecken långt (det är { $length }).
error-stale-button = Den här knappen är inaktuell: den hör till en tidigare version av boten eller till något som har ändrats. Använd kommandot i stället, eller be om ett nytt meddelande.
error-message-empty = Meddelandet har ingen text att använda (det är tomt eller har bara inbäddningar eller bilagor). Använd menyn på ett meddelande med text, eller använd kommandot.
error-form-too-long = Värdena får inte plats i ett formulär. Använd kommandot i skalet, eller kortare värden.

button-propose = Föreslå en punkt

# A line of text as it is (a live document's block made elsewhere).
text-line = { $text }

## Dagordning

ctx-agenda-propose = Föreslå som dagordningspunkt
