-- Agent bootstrap tokens and registered agents.

CREATE TABLE "agent_bootstrap_tokens" (
    "id" UUID NOT NULL,
    "cluster_id" UUID NOT NULL,
    "prefix" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "one_time" BOOLEAN NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by_name" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "uses" INTEGER NOT NULL DEFAULT 0,
    "revoked_at" TIMESTAMPTZ(3),
    CONSTRAINT "agent_bootstrap_tokens_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "agent_bootstrap_tokens_token_hash_key" ON "agent_bootstrap_tokens"("token_hash");
CREATE INDEX "agent_bootstrap_tokens_cluster_id_idx" ON "agent_bootstrap_tokens"("cluster_id");
ALTER TABLE "agent_bootstrap_tokens" ADD CONSTRAINT "agent_bootstrap_tokens_cluster_id_fkey" FOREIGN KEY ("cluster_id") REFERENCES "clusters"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "agents" (
    "id" UUID NOT NULL,
    "cluster_id" UUID NOT NULL,
    "node_name" TEXT NOT NULL,
    "credential_hash" TEXT NOT NULL,
    "version" TEXT NOT NULL DEFAULT '',
    "registered_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_heartbeat_at" TIMESTAMPTZ(3),
    "applied_revision" INTEGER,
    "applied_bundle_sha256" TEXT,
    "applied_at" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "report" JSONB NOT NULL DEFAULT '{}',
    "revoked_at" TIMESTAMPTZ(3),
    CONSTRAINT "agents_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "agents_credential_hash_key" ON "agents"("credential_hash");
CREATE UNIQUE INDEX "agents_cluster_id_node_name_key" ON "agents"("cluster_id", "node_name");
ALTER TABLE "agents" ADD CONSTRAINT "agents_cluster_id_fkey" FOREIGN KEY ("cluster_id") REFERENCES "clusters"("id") ON DELETE CASCADE ON UPDATE CASCADE;
