package dev.herald.server.http;

import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Reads request bodies under a size limit: a declared Content-Length above the limit is refused
 * before a byte is read, and a chunked body is cut off as soon as it passes the limit. Either way the
 * answer is 413 naming the limit.
 */
public final class Bodies {

    private Bodies() {
    }

    /**
     * The request body, at most {@code limit} bytes.
     *
     * @param what names the limit in the 413 answer, e.g. "a batch"
     * @throws Problem 413 when the body is larger
     */
    public static byte[] read(Context ctx, long limit, String what) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > limit) {
            throw tooLarge(limit, what, declared + " bytes");
        }
        try (InputStream in = ctx.req().getInputStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Math.max(declared, 256), limit));
            byte[] buffer = new byte[16 * 1024];
            long total = 0;
            for (int n; (n = in.read(buffer)) >= 0; ) {
                total += n;
                if (total > limit) {
                    throw tooLarge(limit, what, "more than " + limit + " bytes");
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("reading the request body failed", e);
        }
    }

    private static Problem tooLarge(long limit, String what, String actual) {
        return new Problem(413, "Request body too large",
                "the body of " + what + " may be at most " + limit + " bytes; this one is " + actual);
    }
}
