package dev.herald.server.api;

import dev.herald.event.HeraldAttributes;
import dev.herald.event.JsonEvents;
import dev.herald.event.Violation;
import dev.herald.server.auth.Principal;
import dev.herald.server.auth.Scope;
import dev.herald.server.auth.TokenPrincipal;
import dev.herald.server.auth.TypePattern;
import dev.herald.server.config.ServerConfig;
import dev.herald.server.http.MediaTypes;
import dev.herald.server.http.Problem;
import dev.herald.store.EventStore;
import dev.herald.store.TopicRouter;
import dev.herald.transport.Capability;
import dev.herald.transport.InvalidCursorException;
import dev.herald.transport.LogEntry;
import dev.herald.transport.LogFilter;
import dev.herald.transport.LogPage;
import dev.herald.transport.LogQuery;
import dev.herald.transport.Transport;
import dev.herald.transport.TypeGlob;
import io.cloudevents.CloudEvent;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code GET /v1/events?type=&project=&subject=&source=&id=&causationid=&correlationid=&from=&to=&limit=&cursor=}:
 * the stored stream, oldest first, filtered, in pages.
 *
 * <ul>
 *   <li>{@code type} is a type or a glob ({@code ci.*}); {@code project}, {@code subject} and
 *       {@code source} match exactly; {@code from} (inclusive) and {@code to} (exclusive) are RFC 3339
 *       times compared with the event's {@code time}. {@code id}, {@code causationid} and
 *       {@code correlationid} match exactly too (a causation chain: the cause of an event has its
 *       {@code causationid} as {@code id}; its effects have its {@code id} as {@code causationid}); they
 *       are checked on each event of the page the transport returns, so pages can be short.</li>
 *   <li>Only events the token may see are returned: types its {@code subscribe:} scopes cover, and
 *       with a project restriction only that project's events. Asking explicitly for a type or project
 *       the token may not see is a 403 that names it.</li>
 *   <li>The filters go to the transport ({@link Transport#query}): PostgreSQL evaluates them in SQL
 *       with indexes; the others read the log and test each event. A page holds at most {@code limit}
 *       events (default 100, at most {@code query.max-limit}), and a transport that filters by
 *       reading examines at most {@code query.max-scan} stored events for it, so a sparse filter
 *       gives a short (even empty) page. The answer always has a {@code cursor} to continue from — also at the end of the
 *       stream, to poll for newer events — and {@code more}: whether stored events remain beyond it.
 *       A cursor is opaque and bound to its filters.</li>
 * </ul>
 * The body is {@code {"events": [...structured events...], "cursor": "...", "more": bool}}; a client
 * that accepts only {@code application/cloudevents-batch+json} gets the bare batch, with the cursor
 * in the {@code Herald-Cursor} header and {@code Link: <…>; rel="next"} when there is more.
 */
final class EventQuery {

    private static final int DEFAULT_LIMIT = 100;
    /** Cursors carry their filters' fingerprint and the transport's own cursor. */
    private static final String CURSOR_VERSION = "c2";

    private final EventStore store;
    private final ServerConfig config;
    private final String topic = TopicRouter.DEFAULT_TOPIC;

    EventQuery(EventStore store, ServerConfig config) {
        this.store = store;
        this.config = config;
    }

    /** The filters of one query, as the client gave them. */
    record Filter(Optional<TypePattern> type, Optional<String> project, Optional<String> subject,
                  Optional<String> source, Optional<OffsetDateTime> from, Optional<OffsetDateTime> to,
                  Optional<String> id, Optional<String> causationId, Optional<String> correlationId) {

        /**
         * The filters no transport applies natively — {@code id}, {@code causationid},
         * {@code correlationid}, used to walk causation chains — checked on each event of the page.
         */
        boolean matchesLinks(CloudEvent event) {
            return (id.isEmpty() || id.get().equals(event.getId()))
                    && (causationId.isEmpty() || causationId.equals(HeraldAttributes.causationId(event)))
                    && (correlationId.isEmpty() || correlationId.equals(HeraldAttributes.correlationId(event)));
        }

        /**
         * The transport filter: the client's filters, narrowed to what the principal may see where
         * one glob list can say it (its project; its subscribe scopes when no type was asked), so
         * that a transport that filters natively does the work. {@link #visible} still checks each event.
         */
        LogFilter toLogFilter(Principal principal) {
            List<TypeGlob> types = type.map(t -> List.of(new TypeGlob(t.glob())))
                    .orElseGet(() -> scopeGlobs(principal));
            return new LogFilter(types, project.or(principal::project).orElse(null), subject.orElse(null),
                    source.orElse(null), from.map(OffsetDateTime::toInstant).orElse(null),
                    to.map(OffsetDateTime::toInstant).orElse(null));
        }

        /** A short fingerprint, so that a cursor cannot be reused with other filters. */
        String fingerprint() {
            String text = type.map(TypePattern::glob).orElse("") + "\n" + project.orElse("") + "\n"
                    + subject.orElse("") + "\n" + source.orElse("") + "\n"
                    + from.map(Object::toString).orElse("") + "\n" + to.map(Object::toString).orElse("")
                    + "\n" + id.orElse("") + "\n" + causationId.orElse("") + "\n" + correlationId.orElse("");
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
                return HexFormat.of().formatHex(digest, 0, 6);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** The globs of a token's subscribe scopes; none (every type) for admin. */
    private static List<TypeGlob> scopeGlobs(Principal principal) {
        if (principal.isAdmin() || !(principal instanceof TokenPrincipal token)) {
            return List.of();
        }
        return token.scopes().stream().filter(s -> s.kind() == Scope.Kind.SUBSCRIBE)
                .map(s -> new TypeGlob(s.pattern().glob())).toList();
    }

    void handle(Context ctx) {
        Principal principal = Principal.of(ctx);
        if (!store.transport().capabilities().contains(Capability.QUERY)) {
            throw new Problem(501, "Not implemented", "the " + store.transport().name()
                    + " transport cannot read back stored events; query them where they are delivered");
        }
        List<Violation> invalid = new ArrayList<>();
        Filter filter = filter(ctx, invalid);
        int limit = limit(ctx, invalid);
        String after = cursor(ctx, filter, invalid);
        if (!invalid.isEmpty()) {
            throw new Problem(400, "Invalid query", invalid.size() == 1 ? invalid.getFirst().toString()
                    : invalid.size() + " query parameters are invalid", invalid);
        }
        authorize(principal, filter);

        LogQuery query = new LogQuery(topic, filter.toLogFilter(principal), after, limit,
                config.get(ServerConfig.QUERY_MAX_SCAN));
        LogPage page;
        try {
            page = store.transport().query(query);
        } catch (InvalidCursorException e) {
            throw new Problem(400, "Invalid query", "cursor: " + e.getMessage(), List.of(new Violation("cursor",
                    "is not a cursor of this server's transport", ctx.queryParam("cursor"))));
        }
        List<CloudEvent> events = page.entries().stream().map(LogEntry::event)
                .filter(event -> visible(principal, event) && filter.matchesLinks(event)).toList();
        respond(ctx, events, encode(page.cursor(), filter), page.more());
    }

    private static boolean visible(Principal principal, CloudEvent event) {
        return principal.canSubscribe(event.getType())
                && principal.canSee(HeraldAttributes.project(event).orElse(null));
    }

    private static void authorize(Principal principal, Filter filter) {
        boolean readsAnything = principal.isAdmin()
                || principal instanceof TokenPrincipal token && token.canSubscribeToAnything();
        if (!readsAnything) {
            throw new Problem(403, "Forbidden", "token " + principal.tokenId()
                    + " has no subscribe scope; querying events needs subscribe:<type pattern> or admin");
        }
        filter.type().filter(t -> !t.glob().contains("*")).ifPresent(t -> {
            if (!principal.canSubscribe(t.glob())) {
                throw new Problem(403, "Forbidden", "token " + principal.tokenId()
                        + " has no subscribe scope covering type " + t.glob(),
                        List.of(new Violation("type", "not covered by the token's subscribe scopes", t.glob())));
            }
        });
        Optional<String> restricted = principal.project();
        if (restricted.isPresent() && filter.project().isPresent() && !restricted.equals(filter.project())) {
            throw new Problem(403, "Forbidden", "token " + principal.tokenId() + " is restricted to project "
                    + restricted.get(), List.of(new Violation("project", "token is restricted to project "
                    + restricted.get(), filter.project().get())));
        }
    }

    private void respond(Context ctx, List<CloudEvent> page, String cursor, boolean more) {
        String type = MediaTypes.negotiate(ctx, "application/json", JsonEvents.BATCH);
        if (type == null) {
            throw new Problem(406, "Not acceptable", "events are served as application/json or " + JsonEvents.BATCH);
        }
        ctx.header("Herald-Cursor", cursor);
        if (more) {
            ctx.header("Link", "<" + nextUrl(ctx, cursor) + ">; rel=\"next\"");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + page.size() * 512);
        boolean bare = type.equals(JsonEvents.BATCH);
        if (!bare) {
            out.writeBytes("{\"events\":".getBytes(StandardCharsets.UTF_8));
        }
        out.write('[');
        for (int i = 0; i < page.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            out.writeBytes(JsonEvents.write(page.get(i)));
        }
        out.write(']');
        if (!bare) {
            out.writeBytes((",\"cursor\":\"" + cursor + "\",\"more\":" + more + "}").getBytes(StandardCharsets.UTF_8));
        }
        ctx.status(200).contentType(type).result(out.toByteArray());
    }

    private static String nextUrl(Context ctx, String cursor) {
        Map<String, List<String>> params = new LinkedHashMap<>(ctx.queryParamMap());
        params.put("cursor", List.of(cursor));
        StringBuilder url = new StringBuilder(ctx.path()).append('?');
        params.forEach((name, values) -> values.forEach(value -> url.append(URLEncoder.encode(name, StandardCharsets.UTF_8))
                .append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8)).append('&')));
        url.setLength(url.length() - 1);
        return url.toString();
    }

    private static Filter filter(Context ctx, List<Violation> invalid) {
        Optional<TypePattern> type = Optional.empty();
        String typeText = ctx.queryParam("type");
        if (typeText != null && !typeText.isBlank()) {
            try {
                type = Optional.of(new TypePattern(typeText.strip()));
            } catch (IllegalArgumentException e) {
                invalid.add(new Violation("type", e.getMessage(), typeText));
            }
        }
        return new Filter(type, param(ctx, "project"), param(ctx, "subject"), param(ctx, "source"),
                time(ctx, "from", invalid), time(ctx, "to", invalid), param(ctx, "id"),
                param(ctx, HeraldAttributes.CAUSATIONID), param(ctx, HeraldAttributes.CORRELATIONID));
    }

    private static Optional<String> param(Context ctx, String name) {
        return Optional.ofNullable(ctx.queryParam(name)).filter(s -> !s.isBlank());
    }

    private static Optional<OffsetDateTime> time(Context ctx, String name, List<Violation> invalid) {
        Optional<String> text = param(ctx, name);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(text.get()));
        } catch (DateTimeParseException e) {
            invalid.add(new Violation(name, "must be an RFC 3339 timestamp with offset, e.g. 2026-11-25T10:00:00Z",
                    text.get()));
            return Optional.empty();
        }
    }

    private int limit(Context ctx, List<Violation> invalid) {
        Optional<String> text = param(ctx, "limit");
        if (text.isEmpty()) {
            return Math.min(DEFAULT_LIMIT, maxLimit());
        }
        try {
            int limit = Integer.parseInt(text.get());
            if (limit >= 1 && limit <= maxLimit()) {
                return limit;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        invalid.add(new Violation("limit", "must be a whole number from 1 to " + maxLimit(), text.get()));
        return 1;
    }

    /** {@code query.max-limit}, within what one transport page may hold. */
    private int maxLimit() {
        return Math.min(config.get(ServerConfig.QUERY_MAX_LIMIT), LogQuery.MAX_LIMIT);
    }

    /** The transport's cursor inside the client's, or null to start at the oldest stored event. */
    private static String cursor(Context ctx, Filter filter, List<Violation> invalid) {
        Optional<String> text = param(ctx, "cursor");
        if (text.isEmpty()) {
            return null;
        }
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(text.get()), StandardCharsets.UTF_8);
            String[] parts = decoded.split(":", 3);
            if (parts.length == 3 && parts[0].equals(CURSOR_VERSION) && !parts[2].isBlank()) {
                if (!Objects.equals(parts[1], filter.fingerprint())) {
                    invalid.add(new Violation("cursor", "belongs to a query with other filters; "
                            + "repeat the filters the cursor came with", text.get()));
                    return null;
                }
                return parts[2];
            }
        } catch (IllegalArgumentException ignored) {
            // reported below
        }
        invalid.add(new Violation("cursor", "is not a cursor returned by this server", text.get()));
        return null;
    }

    private static String encode(String transportCursor, Filter filter) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((CURSOR_VERSION + ":" + filter.fingerprint()
                + ":" + transportCursor).getBytes(StandardCharsets.UTF_8));
    }
}
