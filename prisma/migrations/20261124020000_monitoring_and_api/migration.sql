-- AlterTable
ALTER TABLE "connections" ADD COLUMN "check_interval_minutes" INTEGER,
ADD COLUMN "lease_expires_at" TIMESTAMPTZ(3),
ADD COLUMN "lease_owner" TEXT,
ADD COLUMN "next_check_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- CreateTable
CREATE TABLE "check_runs" (
    "id" BIGSERIAL NOT NULL,
    "connection_id" UUID NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "duration_ms" INTEGER NOT NULL,
    "trigger" TEXT NOT NULL,
    "ok" BOOLEAN NOT NULL,
    "state" "ConnectionState" NOT NULL,
    "failed_check" TEXT,
    "code" TEXT,
    "report" JSONB NOT NULL,

    CONSTRAINT "check_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "state_changes" (
    "id" BIGSERIAL NOT NULL,
    "connection_id" UUID NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "from_state" "ConnectionState" NOT NULL,
    "to_state" "ConnectionState" NOT NULL,
    "cause" TEXT NOT NULL,
    "code" TEXT,
    "check_run_id" BIGINT,

    CONSTRAINT "state_changes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "engine_reports" (
    "id" BIGSERIAL NOT NULL,
    "connection_id" UUID NOT NULL,
    "api_key_id" UUID,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "outcome" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "items_synced" INTEGER,
    "items_failed" INTEGER,
    "error_code" TEXT,
    "message" TEXT,

    CONSTRAINT "engine_reports_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "scopes" JSONB NOT NULL,
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notification_channels" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "secret_sealed" TEXT,
    "on_state_change" BOOLEAN NOT NULL DEFAULT true,
    "on_expiry" BOOLEAN NOT NULL DEFAULT true,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "notification_channels_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notification_deliveries" (
    "id" BIGSERIAL NOT NULL,
    "channel_id" UUID NOT NULL,
    "event_key" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" TIMESTAMPTZ(3),
    "lease_owner" TEXT,
    "lease_expires_at" TIMESTAMPTZ(3),

    CONSTRAINT "notification_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "connections_next_check_at_idx" ON "connections"("next_check_at");

-- CreateIndex
CREATE INDEX "connections_secret_expires_at_idx" ON "connections"("secret_expires_at");

-- CreateIndex
CREATE INDEX "check_runs_connection_id_started_at_idx" ON "check_runs"("connection_id", "started_at" DESC);

-- CreateIndex
CREATE INDEX "check_runs_started_at_idx" ON "check_runs"("started_at");

-- CreateIndex
CREATE INDEX "state_changes_connection_id_occurred_at_idx" ON "state_changes"("connection_id", "occurred_at" DESC);

-- CreateIndex
CREATE INDEX "engine_reports_connection_id_received_at_idx" ON "engine_reports"("connection_id", "received_at" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_prefix_key" ON "api_keys"("prefix");

-- CreateIndex
CREATE INDEX "notification_deliveries_status_next_attempt_at_idx" ON "notification_deliveries"("status", "next_attempt_at");

-- CreateIndex
CREATE UNIQUE INDEX "notification_deliveries_channel_id_event_key_key" ON "notification_deliveries"("channel_id", "event_key");

-- AddForeignKey
ALTER TABLE "check_runs" ADD CONSTRAINT "check_runs_connection_id_fkey" FOREIGN KEY ("connection_id") REFERENCES "connections"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "state_changes" ADD CONSTRAINT "state_changes_connection_id_fkey" FOREIGN KEY ("connection_id") REFERENCES "connections"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "engine_reports" ADD CONSTRAINT "engine_reports_connection_id_fkey" FOREIGN KEY ("connection_id") REFERENCES "connections"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notification_deliveries" ADD CONSTRAINT "notification_deliveries_channel_id_fkey" FOREIGN KEY ("channel_id") REFERENCES "notification_channels"("id") ON DELETE CASCADE ON UPDATE CASCADE;
