## Forms, buttons and message menus (shared by every command that uses them)

error-field-length = { $field } must be { $min }–{ $max } characters long (it is { $length }).
error-stale-button = This button is out of date: it belongs to an earlier version of the bot or to something that has changed. Use the command instead, or ask for a fresh message.
error-message-empty = That message has no text to use (it is empty, or has only embeds or attachments). Use it on a message with text, or use the command.
error-form-too-long = The values given do not fit in a form. Use the command in the shell, or shorter values.

button-propose = Propose an item

# A line of text as it is (a live document's block made elsewhere).
text-line = { $text }

## Agenda

ctx-agenda-propose = Propose as agenda item
