-- AlterTable
ALTER TABLE "users" ADD COLUMN "failed_sign_ins" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "sign_in_not_before" TIMESTAMPTZ(3);
