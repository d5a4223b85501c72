-- AlterTable
ALTER TABLE "users" ADD COLUMN "break_glass" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "linked_identities" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "object_id" TEXT NOT NULL,
    "username" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_sign_in_at" TIMESTAMPTZ(3),

    CONSTRAINT "linked_identities_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "console_sign_ins" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "client_id" TEXT NOT NULL,
    "tenants" JSONB NOT NULL,
    "admin_groups" JSONB NOT NULL,
    "helpdesk_groups" JSONB NOT NULL,
    "member_groups" JSONB NOT NULL,
    "allow_members" BOOLEAN NOT NULL DEFAULT false,
    "microsoft_only" BOOLEAN NOT NULL DEFAULT false,
    "member_tenants" JSONB NOT NULL,
    "verified_at" TIMESTAMPTZ(3),
    "verification" JSONB,
    "version" INTEGER NOT NULL DEFAULT 1,
    "updated_by_id" UUID,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "console_sign_ins_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "microsoft_sign_ins" (
    "id" UUID NOT NULL,
    "state_hash" TEXT NOT NULL,
    "binding_hash" TEXT NOT NULL,
    "nonce" TEXT NOT NULL,
    "code_verifier_sealed" TEXT NOT NULL,
    "purpose" TEXT NOT NULL DEFAULT 'console',
    "connect_link_id" UUID,
    "link_user_id" UUID,
    "return_to" TEXT NOT NULL,
    "ip" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "completed_at" TIMESTAMPTZ(3),
    "outcome" JSONB,

    CONSTRAINT "microsoft_sign_ins_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "linked_identities_user_id_idx" ON "linked_identities"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "linked_identities_tenant_id_object_id_key" ON "linked_identities"("tenant_id", "object_id");

-- CreateIndex
CREATE UNIQUE INDEX "microsoft_sign_ins_state_hash_key" ON "microsoft_sign_ins"("state_hash");

-- CreateIndex
CREATE INDEX "microsoft_sign_ins_created_at_idx" ON "microsoft_sign_ins"("created_at");

-- CreateIndex
CREATE INDEX "microsoft_sign_ins_ip_created_at_idx" ON "microsoft_sign_ins"("ip", "created_at");

-- AddForeignKey
ALTER TABLE "linked_identities" ADD CONSTRAINT "linked_identities_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
