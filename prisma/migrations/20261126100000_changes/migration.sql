-- Change requests, approvals, comments, revisions with signed bundles, the per-cluster resource
-- store, the signing key, and the webhook outbox.

CREATE TYPE "ChangeRequestState" AS ENUM ('draft', 'submitted', 'approved', 'published', 'rejected', 'withdrawn', 'conflicted');
CREATE TYPE "ChangeOp" AS ENUM ('create', 'update', 'delete');

CREATE TABLE "policy_resources" (
    "cluster_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "revision" INTEGER NOT NULL,
    "deleted" BOOLEAN NOT NULL DEFAULT false,
    "labels" JSONB NOT NULL DEFAULT '{}',
    "document" JSONB,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "policy_resources_pkey" PRIMARY KEY ("cluster_id", "kind", "namespace", "name")
);
CREATE INDEX "policy_resources_cluster_id_revision_idx" ON "policy_resources"("cluster_id", "revision");

CREATE TABLE "revisions" (
    "id" UUID NOT NULL,
    "cluster_id" UUID NOT NULL,
    "number" INTEGER NOT NULL,
    "change_request_id" UUID,
    "title" TEXT NOT NULL,
    "published_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_by_id" TEXT,
    "published_by_name" TEXT NOT NULL,
    "changes" JSONB NOT NULL,
    "resource_count" INTEGER NOT NULL,
    "bundle_payload" TEXT NOT NULL,
    "bundle_signature" TEXT NOT NULL,
    "bundle_key_id" TEXT NOT NULL,
    "bundle_sha256" TEXT NOT NULL,
    CONSTRAINT "revisions_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "revisions_cluster_id_number_key" ON "revisions"("cluster_id", "number");
CREATE INDEX "revisions_change_request_id_idx" ON "revisions"("change_request_id");

CREATE TABLE "change_requests" (
    "id" UUID NOT NULL,
    "number" SERIAL NOT NULL,
    "cluster_id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "state" "ChangeRequestState" NOT NULL DEFAULT 'draft',
    "author_id" TEXT,
    "author_name" TEXT NOT NULL,
    "base_revision" INTEGER NOT NULL,
    "round" INTEGER NOT NULL DEFAULT 0,
    "rollback_of" INTEGER,
    "published_revision" INTEGER,
    "conflicts" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "submitted_at" TIMESTAMPTZ(3),
    "decided_at" TIMESTAMPTZ(3),
    "published_at" TIMESTAMPTZ(3),
    CONSTRAINT "change_requests_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "change_requests_number_key" ON "change_requests"("number");
CREATE INDEX "change_requests_cluster_id_state_idx" ON "change_requests"("cluster_id", "state");

CREATE TABLE "change_items" (
    "id" UUID NOT NULL,
    "change_request_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "op" "ChangeOp" NOT NULL,
    "kind" TEXT NOT NULL,
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "base_version" INTEGER NOT NULL,
    "document" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "change_items_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "change_items_change_request_id_kind_namespace_name_key" ON "change_items"("change_request_id", "kind", "namespace", "name");
ALTER TABLE "change_items" ADD CONSTRAINT "change_items_change_request_id_fkey" FOREIGN KEY ("change_request_id") REFERENCES "change_requests"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "change_approvals" (
    "id" UUID NOT NULL,
    "change_request_id" UUID NOT NULL,
    "round" INTEGER NOT NULL,
    "user_id" TEXT NOT NULL,
    "user_name" TEXT NOT NULL,
    "decision" TEXT NOT NULL,
    "comment" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "change_approvals_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "change_approvals_change_request_id_round_user_id_key" ON "change_approvals"("change_request_id", "round", "user_id");
ALTER TABLE "change_approvals" ADD CONSTRAINT "change_approvals_change_request_id_fkey" FOREIGN KEY ("change_request_id") REFERENCES "change_requests"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "change_comments" (
    "id" UUID NOT NULL,
    "change_request_id" UUID NOT NULL,
    "author_id" TEXT,
    "author_name" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "change_comments_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "change_comments_change_request_id_idx" ON "change_comments"("change_request_id");
ALTER TABLE "change_comments" ADD CONSTRAINT "change_comments_change_request_id_fkey" FOREIGN KEY ("change_request_id") REFERENCES "change_requests"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "signing_keys" (
    "id" TEXT NOT NULL,
    "public_key" TEXT NOT NULL,
    "secret_key" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "signing_keys_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "webhooks" (
    "id" UUID NOT NULL,
    "url" TEXT NOT NULL,
    "secret" TEXT NOT NULL,
    "events" TEXT[],
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "webhooks_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "webhook_deliveries" (
    "id" UUID NOT NULL,
    "webhook_id" UUID NOT NULL,
    "event" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_error" TEXT,
    "last_status" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" TIMESTAMPTZ(3),
    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "webhook_deliveries_status_next_attempt_at_idx" ON "webhook_deliveries"("status", "next_attempt_at");
CREATE INDEX "webhook_deliveries_webhook_id_idx" ON "webhook_deliveries"("webhook_id");
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_webhook_id_fkey" FOREIGN KEY ("webhook_id") REFERENCES "webhooks"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The audit chain head: one row, initialised from the existing chain.
CREATE TABLE "audit_chain_head" (
    "id" INTEGER NOT NULL,
    "seq" BIGINT NOT NULL,
    "hash" TEXT NOT NULL,
    "prev_hash" TEXT NOT NULL,
    CONSTRAINT "audit_chain_head_pkey" PRIMARY KEY ("id")
);
INSERT INTO "audit_chain_head" ("id", "seq", "hash", "prev_hash")
SELECT 1,
       COALESCE((SELECT "seq" FROM "audit_events" ORDER BY "seq" DESC LIMIT 1), 0),
       COALESCE((SELECT "hash" FROM "audit_events" ORDER BY "seq" DESC LIMIT 1), repeat('0', 64)),
       COALESCE((SELECT "prev_hash" FROM "audit_events" ORDER BY "seq" DESC LIMIT 1), repeat('0', 64));
