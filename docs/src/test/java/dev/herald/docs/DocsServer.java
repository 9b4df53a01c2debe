package dev.herald.docs;

import dev.herald.server.HeraldServer;
import dev.herald.server.config.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

/**
 * The server the docs' remote commands ({@code herald publish}, {@code herald events}, …) talk to: a real
 * {@code herald serve} on a free port with a fresh data directory, started on first use and stopped when
 * the JVM exits. The docs show {@code HERALD_SERVER}/{@code HERALD_TOKEN} being set; the test passes the
 * same values as flags.
 */
final class DocsServer {

    /** The admin token the docs' commands use. */
    static final String ADMIN_TOKEN = "hrld-docs-admin-token-for-the-snippet-tests-0123";

    private static HeraldServer server;

    private DocsServer() {
    }

    /** {@code --server URL --token TOKEN} for the docs' server, starting it on first use. */
    static synchronized List<String> connectionOptions() {
        if (server == null) {
            server = start();
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "docs-server-stop"));
        }
        return List.of("--server", "http://127.0.0.1:" + server.port(), "--token", ADMIN_TOKEN);
    }

    private static HeraldServer start() {
        try {
            ServerConfig config = ServerConfig.fromMap(Map.of(ServerConfig.PORT.name(), "0",
                    ServerConfig.HOST.name(), "127.0.0.1", ServerConfig.DATA.name(),
                    Files.createTempDirectory("herald-docs-server").toString())).withInitialAdminToken(ADMIN_TOKEN);
            return HeraldServer.builder(config).firstStartOutput(new PrintStream(new ByteArrayOutputStream())).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
