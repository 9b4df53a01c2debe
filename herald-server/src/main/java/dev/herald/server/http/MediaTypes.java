package dev.herald.server.http;

import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Content negotiation helpers: the request's media type, and what the client accepts. */
public final class MediaTypes {

    private MediaTypes() {
    }

    /**
     * The request's media type without parameters, lower case ({@code application/json} for
     * {@code Application/JSON; charset=utf-8}); empty when the request has no Content-Type.
     */
    public static String requestType(Context ctx) {
        return essence(ctx.header("Content-Type"));
    }

    /** The essence (type/subtype, lower case) of a media type header value; empty for null. */
    public static String essence(String headerValue) {
        if (headerValue == null) {
            return "";
        }
        return headerValue.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    }

    /** True for {@code application/json} and any {@code +json} type. */
    public static boolean isJson(String essence) {
        return essence.equals("application/json") || essence.equals("text/json") || essence.endsWith("+json");
    }

    /**
     * Of the {@code offered} media types, the one the client's Accept header prefers (highest q, then
     * most specific, then the server's order); the first offered when there is no Accept header;
     * null when the client accepts none of them.
     */
    public static String negotiate(Context ctx, String... offered) {
        String accept = ctx.header("Accept");
        if (accept == null || accept.isBlank()) {
            return offered[0];
        }
        record Range(String type, double q, int specificity) {
        }
        List<Range> ranges = new ArrayList<>();
        for (String part : accept.split(",")) {
            String[] pieces = part.split(";");
            String type = pieces[0].strip().toLowerCase(Locale.ROOT);
            if (type.isEmpty()) {
                continue;
            }
            double q = 1.0;
            for (int i = 1; i < pieces.length; i++) {
                String parameter = pieces[i].strip();
                if (parameter.startsWith("q=")) {
                    try {
                        q = Double.parseDouble(parameter.substring(2));
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                }
            }
            int specificity = type.equals("*/*") ? 0 : type.endsWith("/*") ? 1 : 2;
            ranges.add(new Range(type, q, specificity));
        }
        String best = null;
        double bestQ = 0;
        int bestSpecificity = -1;
        for (String candidate : offered) {
            // The most specific range matching the candidate decides its q.
            Range match = ranges.stream().filter(r -> matches(r.type(), candidate))
                    .max(Comparator.comparingInt(Range::specificity)).orElse(null);
            if (match == null || match.q() <= 0) {
                continue;
            }
            if (match.q() > bestQ || (match.q() == bestQ && match.specificity() > bestSpecificity)) {
                best = candidate;
                bestQ = match.q();
                bestSpecificity = match.specificity();
            }
        }
        return best;
    }

    private static boolean matches(String range, String type) {
        if (range.equals("*/*")) {
            return true;
        }
        if (range.endsWith("/*")) {
            return type.startsWith(range.substring(0, range.length() - 1));
        }
        return range.equals(type);
    }
}
