# Samverkan — English. Every key also exists in locales/sv/main.ftl.

tier-label = { $tier ->
    [delivery] delivery
    [contract] contract
    [business] business
    [cross-supplier] cross-supplier
   *[other] { $tier }
}
field-name = { $field ->
    [name] The name
    [tier] The tier
   *[other] The text
}

## Errors
error-internal = Something went wrong on our side. Nothing was changed. Quote reference **{ $reference }** if you contact the administrator.
error-guild-only = This command works only in a server.
error-not-manager = Only members with the Manage Server permission or the **{ $role }** role can do this.
error-channel-not-in-guild = That channel is not in this server. Pick a channel of this server.
error-role-not-in-guild = That role is not in this server.
error-forum-unknown = There is no forum called “{ $name }” here. See `/forum list`.
error-forum-name-taken = A forum called **{ $name }** already exists in this server. Choose another name.
error-time-zone-unknown = “{ $zone }” is not a known time zone. Give an IANA time zone such as Europe/Stockholm.
error-text-empty = { $field } must not be empty.
error-text-too-long = { $field } may be at most { $max } characters.
error-text-markup = { $field } must not contain formatting or mentions (characters such as * _ ~ ` | > < # @ : [ ] ( ) \).
error-text-control = { $field } contains characters that are not allowed.
error-language-unknown = Unknown language. Choose sv (Swedish) or en (English).
error-bad-option = One of the values could not be read: { $detail }
error-missing-option = The value **{ $option }** is missing.
error-unknown-command = Unknown command. Type `/help` to see the commands.

## Forums
forum-created = The forum **{ $name }** is created and meets in { $channel }.
forum-details = Tier: { $tier } · Channel: { $channel } · Time zone: { $time_zone } · Escalates to: { $escalates_to } · Chair: { $chair }
forum-list-empty = This server has no forums yet. Create one with `/forum create`.
forum-list-header = { $count ->
    [one] One forum:
   *[other] { $count } forums:
}
forum-list-line = • **{ $name }** ({ $tier }) in { $channel }
forum-show-title = **{ $name }**

## Settings
settings-language-set = I now speak English in this server.

## Shell
shell-help = Type one command a line, as in Discord: `/forum create name:"Leveransforum" tier:delivery channel:#leveransforum`. Commands: /forum create, /forum list, /forum show, /settings language. End with Ctrl-D.
shell-parse-error = The line could not be read: { $detail }
language-name = { $code ->
    [sv] Swedish
   *[en] English
}
shell-unknown-option = Unknown option **{ $option }** for this command.
