-- AlterTable
ALTER TABLE "connections" ADD COLUMN "account_home_id" TEXT,
ADD COLUMN "account_upn" TEXT,
ADD COLUMN "owner_id" UUID,
ADD COLUMN "token_cache_sealed" TEXT;

-- CreateTable
CREATE TABLE "delegated_apps" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "cloud" TEXT NOT NULL,
    "client_id" TEXT NOT NULL,
    "home_tenant" TEXT NOT NULL,
    "audience" TEXT NOT NULL,
    "credential_kind" TEXT NOT NULL,
    "credential_sealed" TEXT NOT NULL,
    "credential_hint" TEXT NOT NULL,
    "certificate_pem" TEXT,
    "credential_expires_at" TIMESTAMPTZ(3),
    "verified_at" TIMESTAMPTZ(3),
    "verification" JSONB,
    "version" INTEGER NOT NULL DEFAULT 1,
    "updated_by_id" UUID,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "delegated_apps_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "delegated_sign_ins" (
    "id" UUID NOT NULL,
    "state_hash" TEXT NOT NULL,
    "nonce" TEXT NOT NULL,
    "code_verifier_sealed" TEXT NOT NULL,
    "user_id" UUID NOT NULL,
    "connection_id" UUID,
    "write_test" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "completed_at" TIMESTAMPTZ(3),
    "outcome" JSONB,
    "result_connection_id" UUID,

    CONSTRAINT "delegated_sign_ins_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "connect_links" (
    "id" UUID NOT NULL,
    "token_hash" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "connection_id" UUID,
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "connect_links_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "connections_owner_id_idx" ON "connections"("owner_id");

-- CreateIndex
CREATE UNIQUE INDEX "delegated_sign_ins_state_hash_key" ON "delegated_sign_ins"("state_hash");

-- CreateIndex
CREATE INDEX "delegated_sign_ins_user_id_created_at_idx" ON "delegated_sign_ins"("user_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "connect_links_token_hash_key" ON "connect_links"("token_hash");

-- CreateIndex
CREATE INDEX "connect_links_email_idx" ON "connect_links"("email");

-- AddForeignKey
ALTER TABLE "connections" ADD CONSTRAINT "connections_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "delegated_sign_ins" ADD CONSTRAINT "delegated_sign_ins_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "connect_links" ADD CONSTRAINT "connect_links_connection_id_fkey" FOREIGN KEY ("connection_id") REFERENCES "connections"("id") ON DELETE CASCADE ON UPDATE CASCADE;
