-- CreateEnum
CREATE TYPE "ConnectionKind" AS ENUM ('organization', 'mailbox');

-- CreateEnum
CREATE TYPE "ConnectionState" AS ENUM ('healthy', 'warning', 'failing', 'needs_reauth', 'never_checked');

-- CreateTable
CREATE TABLE "connections" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "ConnectionKind" NOT NULL,
    "cloud" TEXT NOT NULL,
    "tenant" TEXT NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "client_id" TEXT NOT NULL,
    "dedupe_key" TEXT,
    "client_secret_sealed" TEXT,
    "secret_hint" TEXT,
    "secret_expires_at" DATE,
    "mailbox_scope" JSONB NOT NULL,
    "test_mailbox" TEXT,
    "out_of_scope_mailbox" TEXT,
    "write_test" BOOLEAN NOT NULL DEFAULT false,
    "state" "ConnectionState" NOT NULL DEFAULT 'never_checked',
    "state_since" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_checked_at" TIMESTAMPTZ(3),
    "last_report" JSONB,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "connections_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "wizard_drafts" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "cloud" TEXT NOT NULL,
    "current_step" TEXT NOT NULL,
    "completed_steps" JSONB NOT NULL,
    "fields" JSONB NOT NULL,
    "client_secret_sealed" TEXT,
    "secret_hint" TEXT,
    "consent_state" TEXT,
    "consent_outcome" JSONB,
    "last_report" JSONB,
    "verified_hash" TEXT,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "wizard_drafts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "connections_dedupe_key_key" ON "connections"("dedupe_key");

-- CreateIndex
CREATE INDEX "connections_state_idx" ON "connections"("state");

-- CreateIndex
CREATE INDEX "connections_name_idx" ON "connections"("name");

-- CreateIndex
CREATE UNIQUE INDEX "wizard_drafts_user_id_key" ON "wizard_drafts"("user_id");

-- AddForeignKey
ALTER TABLE "connections" ADD CONSTRAINT "connections_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "wizard_drafts" ADD CONSTRAINT "wizard_drafts_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
