"""Where alerts go beyond the inbox (issue 17): e-mail, Web Push and chat robots, sent from the notifications'
outbox (`alert_notifications`) by `Deliverer` in `fieldops worker`.

`messages` words a notification in its reader's language; `mailing`, `webpush` and `robots` each speak one
channel; `vapid` keeps the server's Web Push keys; `deliverer` claims due rows, sends, retries and gives up.
"""
