# Namn och beskrivningar av snedstreckskommandon (Discord-lokalisering sv-SE).
# Nyckeln är cmd- och kommandots engelska fullständiga namn; attributen är parametrarnas
# namn (och <parameter>-description). Namn: gemener, högst 32 tecken, inga mellanslag.

cmd-forum = forum
    .description = Forum för samverkan med leverantörer
cmd-forum-create = skapa
    .description = Skapa ett forum
    .name = namn
    .name-description = Forumets namn, unikt i servern
    .tier = nivå
    .tier-description = Nivå: leverans, kontrakt, affär eller egen
    .channel = kanal
    .channel-description = Kanalen där forumet möts
    .time_zone = tidszon
    .time_zone-description = Tidszon för mötena (standard Europe/Stockholm)
    .escalates_to = eskalerar_till
    .escalates_to-description = Forumet som frågor eskaleras till
    .chair_role = ordförande
    .chair_role-description = Rollen som leder forumet
cmd-forum-list = lista
    .description = Visa serverns forum
cmd-forum-show = visa
    .description = Visa ett forum
    .forum = forum
    .forum-description = Forumets namn
cmd-settings = inställningar
    .description = Serverns inställningar för Samverkan
cmd-settings-language = språk
    .description = Välj språket som boten talar i servern
    .language = språk
    .language-description = sv (svenska) eller en (engelska)
