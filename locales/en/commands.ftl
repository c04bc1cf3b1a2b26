# Names and descriptions of slash commands. The key is cmd- and the command's full English
# name; attributes are its parameters' names (and <parameter>-description).

cmd-forum = forum
    .description = Forums for working with suppliers
cmd-forum-create = create
    .description = Create a forum
    .name = name
    .name-description = The forum's name, unique in the server
    .tier = tier
    .tier-description = Tier: delivery, contract, business or your own
    .channel = channel
    .channel-description = The channel the forum meets in
    .time_zone = time_zone
    .time_zone-description = Time zone of the meetings (default Europe/Stockholm)
    .escalates_to = escalates_to
    .escalates_to-description = The forum issues escalate to
    .chair_role = chair_role
    .chair_role-description = The role that chairs the forum
cmd-forum-list = list
    .description = List the server's forums
cmd-forum-show = show
    .description = Show a forum
    .forum = forum
    .forum-description = The forum's name
cmd-settings = settings
    .description = Samverkan settings of this server
cmd-settings-language = language
    .description = Choose the language the bot speaks in this server
    .language = language
    .language-description = sv (Swedish) or en (English)
