-- Names were not unique before: later duplicates get a numbered suffix so that the constraint can be added.
WITH ranked AS (
  SELECT "id", "name", row_number() OVER (PARTITION BY "name" ORDER BY "created_at", "id") AS "n"
  FROM "notification_channels"
)
UPDATE "notification_channels" AS "channel"
SET "name" = "channel"."name" || ' (' || "ranked"."n" || ')'
FROM "ranked"
WHERE "channel"."id" = "ranked"."id" AND "ranked"."n" > 1;

-- CreateIndex
CREATE UNIQUE INDEX "notification_channels_name_key" ON "notification_channels"("name");
