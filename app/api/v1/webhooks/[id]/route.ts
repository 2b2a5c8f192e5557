import { route } from "@/server/http/route";
import { deleteWebhook } from "@/server/services/webhooks/delete-webhook";
import { ZUuidParam } from "@/server/services/schemas";

export const DELETE = route({ auth: ["admin"], params: ZUuidParam }, ({ ctx, params }) => deleteWebhook(ctx, params.id));
