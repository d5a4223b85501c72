-- A consent hand-off link records its grant once (issue 15): the nonce sealed in the link's state.
CREATE TABLE "consent_hand_off_uses" (
    "nonce" TEXT NOT NULL,
    "used_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "consent_hand_off_uses_pkey" PRIMARY KEY ("nonce")
);
