-- The setup app for "Set it up for me" and its administrator sign-ins (issue 13).
CREATE TABLE "setup_apps" (
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
    CONSTRAINT "setup_apps_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "setup_sign_ins" (
    "id" UUID NOT NULL,
    "state_hash" TEXT NOT NULL,
    "nonce" TEXT NOT NULL,
    "code_verifier_sealed" TEXT NOT NULL,
    "user_id" UUID NOT NULL,
    "purpose" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "completed_at" TIMESTAMPTZ(3),
    CONSTRAINT "setup_sign_ins_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "setup_sign_ins_state_hash_key" ON "setup_sign_ins"("state_hash");
CREATE INDEX "setup_sign_ins_user_id_created_at_idx" ON "setup_sign_ins"("user_id", "created_at");
