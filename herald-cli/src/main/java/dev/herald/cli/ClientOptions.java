package dev.herald.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where a remote command finds the server: {@code --server} ({@code HERALD_SERVER}), {@code --token}
 * ({@code HERALD_TOKEN}) and, for a server with a private certificate authority or a self-signed
 * certificate, {@code --cacert} ({@code HERALD_CACERT}).
 */
final class ClientOptions {

    @Option(names = "--server", paramLabel = "URL", defaultValue = "${env:HERALD_SERVER:-http://localhost:8080}",
            description = "Server URL (env HERALD_SERVER; default: ${DEFAULT-VALUE}).")
    String server;

    @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:HERALD_TOKEN}",
            description = "API token (env HERALD_TOKEN; prefer the variable: flags show up in process lists).")
    String token;

    @Option(names = "--cacert", paramLabel = "PEM", defaultValue = "${env:HERALD_CACERT}",
            description = "PEM certificate(s) to trust for HTTPS, e.g. the server's self-signed certificate "
                    + "(env HERALD_CACERT).")
    Path caCert;
}
