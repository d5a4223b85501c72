-- Mailbox scope mode per connection, when the scope last changed, and when consent was given through the console (issue 15 §1, §2).
ALTER TABLE "connections" ADD COLUMN "scope_mode" TEXT NOT NULL DEFAULT 'all';
ALTER TABLE "connections" ADD COLUMN "scope_changed_at" TIMESTAMPTZ(3);
ALTER TABLE "connections" ADD COLUMN "consent_granted_at" TIMESTAMPTZ(3);
