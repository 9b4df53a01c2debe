package dev.herald.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.herald.server.HeraldServer;
import dev.herald.server.config.ServerConfig;
import dev.herald.settings.Settings;
import dev.herald.settings.SettingsException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code herald serve}: the HTTP API. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run Herald's HTTP API: event intake (CloudEvents binary, structured and batch mode), event "
                + "query, schema registry, tokens, /healthz, /readyz and /metrics, on the embedded store in the data "
                + "directory, or on PostgreSQL or Kafka (--transport).",
                "On the first start it creates an admin token and prints it once on stdout (or takes "
                + "HERALD_ADMIN_TOKEN's value). SIGTERM or Ctrl-C stops it gracefully: requests in flight finish, "
                + "then the store closes.",
                "Settings come from flags, then HERALD_* environment variables, then the --config file, then "
                + "defaults; --print-config shows every setting and where its value came from."},
        footer = {"", "Examples:",
                "  herald serve                                    # http://localhost:8080, data in ./herald-data",
                "  herald serve --port 9000 --data /var/lib/herald",
                "  herald serve --config /etc/herald/herald.properties",
                "  herald serve --transport postgres --set postgres.url='jdbc:postgresql://db:5432/herald?user=herald'",
                "  herald serve --transport kafka --set kafka.bootstrap-servers=kafka:9092 --set kafka.properties=kafka.properties",
                "  HERALD_ADMIN_TOKEN=$(openssl rand -hex 32) herald serve",
                "  herald serve --set tls.cert=cert.pem --set tls.key=key.pem --public-url https://events.example.com",
                "  herald serve --set events.dedup-window=1h --set auth.rate-limit=500 --print-config",
                "", "Logs go to stderr (HERALD_LOG_LEVEL=DEBUG|INFO|WARN, default INFO for serve)."})
final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--port", paramLabel = "N", description = "TCP port (default 8080; 0 picks a free one).")
    Integer port;

    @Option(names = "--data", paramLabel = "DIR", description = "Data directory (default ./herald-data).")
    Path data;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Configuration file: .properties, or .json (env HERALD_CONFIG).")
    Path config;

    @Option(names = "--host", paramLabel = "ADDRESS",
            description = "Address to bind (default 127.0.0.1: this machine only; 0.0.0.0 in a container).")
    String host;

    @Option(names = "--public-url", paramLabel = "URL",
            description = "URL clients reach the server at; schema URIs derive from it.")
    String publicUrl;

    @Option(names = "--transport", paramLabel = "NAME",
            description = "Where events are stored: embedded (default) or another installed transport, e.g. postgres "
                    + "(with --set postgres.url=JDBC-URL) or kafka (with --set kafka.bootstrap-servers=HOST:PORT); "
                    + "--print-config lists every transport's settings.")
    String transport;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Any setting, e.g. --set events.max-request-bytes=20MiB (repeatable).")
    Map<String, String> settings = new LinkedHashMap<>();

    @Option(names = "--print-config", description = "Print the effective settings and their origins, then exit.")
    boolean printConfig;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        ServerConfig resolved;
        try {
            resolved = ServerConfig.load(config, System.getenv(), flags());
        } catch (SettingsException e) {
            err.println("herald serve: " + e.getMessage());
            return Herald.BAD_INPUT;
        }
        if (printConfig) {
            PrintWriter out = spec.commandLine().getOut();
            for (Settings.Described line : resolved.describe()) {
                out.printf("%-26s %-40s %s%n", line.setting().name(), line.text(), line.origin());
            }
            out.flush();
            return 0;
        }
        if (System.getenv("HERALD_LOG_LEVEL") == null) {
            for (String name : new String[] {"dev.herald", "herald"}) {
                if (LoggerFactory.getLogger(name) instanceof Logger logger) {
                    logger.setLevel(Level.INFO);
                }
            }
        }
        HeraldServer server;
        try {
            server = HeraldServer.start(resolved);
        } catch (SettingsException e) {
            err.println("herald serve: " + e.getMessage());
            return Herald.BAD_INPUT;
        } catch (RuntimeException e) {
            err.println("herald serve: cannot start: " + e.getMessage());
            return Herald.FAILURE;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "herald-shutdown"));
        err.println("herald serve: listening on " + server.baseUri() + " (port " + server.port() + ", data "
                + server.config().get(ServerConfig.DATA).toAbsolutePath().normalize() + "); Ctrl-C or SIGTERM stops");
        err.flush();
        stopped.await();
        return 0;
    }

    private Map<String, String> flags() {
        Map<String, String> flags = new LinkedHashMap<>(settings);
        if (port != null) {
            flags.put(ServerConfig.PORT.name(), port.toString());
        }
        if (data != null) {
            flags.put(ServerConfig.DATA.name(), data.toString());
        }
        if (host != null) {
            flags.put(ServerConfig.HOST.name(), host);
        }
        if (publicUrl != null) {
            flags.put(ServerConfig.PUBLIC_URL.name(), publicUrl);
        }
        if (transport != null) {
            flags.put(ServerConfig.TRANSPORT.name(), transport);
        }
        return flags;
    }
}
