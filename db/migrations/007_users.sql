-- issue 12: users managed on the web. One column: until when the account's lockout has been journalled, so that
-- a lock of the same account from many addresses (spoofed or not) writes one `user.locked` entry per lock
-- period, not one per address. The per-(user, address) lock itself stays in login_failures.
ALTER TABLE users ADD COLUMN locked_journalled_until TEXT;
