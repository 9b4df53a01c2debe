package dev.herald.server.console;

import dev.herald.server.http.ApiModule;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Serves the web console: {@code GET /console} (or {@code /console/}) is the page, {@code GET /console/<file>} its scripts,
 * styles and images, {@code GET /console/vendor/uplot/<file>} the chart library from its WebJar.
 *
 * <p>The files are public (they hold no data: every datum comes from {@code /v1} with the token the
 * user signs in with, kept in the tab's {@code sessionStorage}). Every answer carries a strict
 * Content-Security-Policy — scripts, styles and connections from this origin only, nothing inline, no
 * framing — and an {@code ETag}, so browsers revalidate instead of running a stale console after an
 * upgrade. Only names made of {@code [A-Za-z0-9._-]} segments are served; anything else is a 404.
 */
public final class ConsoleModule implements ApiModule {

    /** The policy every console response carries. */
    public static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; "
            + "style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; "
            + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static final String ROOT = "herald/console/";
    private static final String UPLOT = "org.webjars.npm/uplot";
    private static final Pattern SAFE_PATH = Pattern.compile("([A-Za-z0-9_-][A-Za-z0-9._-]*/)*[A-Za-z0-9_-][A-Za-z0-9._-]*");
    private static final Map<String, String> MEDIA_TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon",
            "json", "application/json");

    private final String uplotRoot;
    /** Files found so far (a miss is not remembered, so that probing names cannot grow it). */
    private final Map<String, Asset> cache = new ConcurrentHashMap<>();

    private record Asset(byte[] bytes, String mediaType, String etag) {
    }

    public ConsoleModule() {
        this.uplotRoot = "META-INF/resources/webjars/uplot/" + webJarVersion(UPLOT) + "/dist/";
    }

    @Override
    public void routes(RoutesConfig routes) {
        // Javalin ignores a trailing slash: this serves /console and /console/ alike (the page's URLs are absolute).
        routes.get("/console", ctx -> serve(ctx, ROOT + "index.html"));
        routes.get("/console/vendor/uplot/{file}", ctx -> serve(ctx, uplotRoot, ctx.pathParam("file")));
        routes.get("/console/<path>", ctx -> serve(ctx, ROOT, ctx.pathParam("path")));
    }

    private void serve(Context ctx, String root, String path) {
        serve(ctx, SAFE_PATH.matcher(path).matches() ? root + path : null);
    }

    private void serve(Context ctx, String resource) {
        secure(ctx);
        Optional<Asset> asset = resource == null ? Optional.empty() : Optional.ofNullable(cache.get(resource))
                .or(() -> load(resource).map(loaded -> {
                    cache.put(resource, loaded);
                    return loaded;
                }));
        if (asset.isEmpty()) {
            ctx.status(404).contentType("text/plain; charset=utf-8").result("no such console file");
            return;
        }
        Asset found = asset.get();
        ctx.header("ETag", found.etag());
        ctx.header("Cache-Control", "no-cache");
        if (found.etag().equals(ctx.header("If-None-Match"))) {
            ctx.status(304);
            return;
        }
        ctx.status(200).contentType(found.mediaType()).result(found.bytes());
    }

    private static void secure(Context ctx) {
        ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("Cross-Origin-Opener-Policy", "same-origin");
    }

    private static Optional<Asset> load(String resource) {
        int dot = resource.lastIndexOf('.');
        String mediaType = dot < 0 ? null : MEDIA_TYPES.get(resource.substring(dot + 1));
        if (mediaType == null) {
            return Optional.empty();
        }
        try (InputStream in = ConsoleModule.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] bytes = in.readAllBytes();
            String etag = "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 12)
                    + "\"";
            return Optional.of(new Asset(bytes, mediaType, etag));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read console file " + resource, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The version of a WebJar on the class path, from its Maven metadata (so upgrading it is a POM change only). */
    private static String webJarVersion(String groupAndArtifact) {
        String path = "META-INF/maven/" + groupAndArtifact + "/pom.properties";
        try (InputStream in = ConsoleModule.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("the console's WebJar " + groupAndArtifact + " is not on the class path");
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
