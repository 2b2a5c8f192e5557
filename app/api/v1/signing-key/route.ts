import { route } from "@/server/http/route";
import { getPublicKey } from "@/server/services/signing/get-public-key";

/** The public bundle-signing key agents are installed with. */
export const GET = route({ auth: "authenticated" }, ({ ctx }) => getPublicKey(ctx));
