package dev.herald.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The HTTP client of the remote commands ({@code publish}, {@code events}, {@code tokens}, …): sends
 * requests with the bearer token, retries what is safe to retry (429 after {@code Retry-After};
 * connection failures and 502/503/504 with backoff, only for requests marked idempotent — event intake
 * is, thanks to the server's deduplication), and turns error answers into a {@link Failure} carrying
 * the exit code (2 for bad input: 400, 409, 413, 415; 1 otherwise) and the problem's lines.
 */
final class ServerClient {

    static final ObjectMapper JSON = new ObjectMapper();

    /** A wire record as a request body. */
    static byte[] bytes(Object body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a request body", e);
        }
    }
    private static final int MAX_ATTEMPTS = 6;

    /** A successful answer. */
    record Reply(int status, byte[] body, HttpHeaders headers) {

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("the server answered with something that is not JSON", e);
            }
        }

        /** The answer as one of the shared wire records. */
        <T> T as(com.fasterxml.jackson.core.type.TypeReference<T> type) {
            try {
                return JSON.readValue(body, type);
            } catch (IOException e) {
                throw new IllegalStateException("the server answered with something that is not the expected JSON",
                        e);
            }
        }

        Optional<String> header(String name) {
            return headers.firstValue(name);
        }
    }

    /** A request that failed for good: what to print and the exit code. */
    static final class Failure extends Exception {

        private static final long serialVersionUID = 1L;

        final int exitCode;
        final int status;
        final transient JsonNode problem;

        Failure(int exitCode, int status, String message, JsonNode problem) {
            super(message);
            this.exitCode = exitCode;
            this.status = status;
            this.problem = problem;
        }

        /** The violations of a problem answer as {@code where: rule (value)} lines. */
        List<String> violations() {
            List<String> lines = new ArrayList<>();
            if (problem != null && problem.has("violations")) {
                for (JsonNode v : problem.get("violations")) {
                    String value = v.path("value").isNull() || v.path("value").isMissingNode() ? ""
                            : " (value: " + v.get("value").asText() + ")";
                    lines.add(v.path("where").asText() + ": " + v.path("rule").asText() + value);
                }
            }
            return lines;
        }

        /** Prints the message and the violations. */
        void print(PrintWriter err) {
            err.println("herald: " + getMessage());
            violations().forEach(line -> err.println("  " + line));
            err.flush();
        }
    }

    private final URI base;
    private final String token;
    private final HttpClient http;
    private final PrintWriter err;

    ServerClient(ClientOptions options, PrintWriter err) throws Failure {
        this.err = err;
        String server = options.server == null || options.server.isBlank() ? "http://localhost:8080" : options.server;
        try {
            URI uri = new URI(server.endsWith("/") ? server : server + "/");
            if (!uri.isAbsolute() || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                throw new Failure(Herald.BAD_INPUT, 0, "--server must be an http or https URL: " + server, null);
            }
            this.base = uri;
        } catch (URISyntaxException e) {
            throw new Failure(Herald.BAD_INPUT, 0, "--server is not a URL: " + server, null);
        }
        this.token = options.token == null || options.token.isBlank() ? null : options.token.strip();
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (options.caCert != null) {
            builder.sslContext(trusting(options));
        }
        this.http = builder.build();
    }

    URI base() {
        return base;
    }

    private static SSLContext trusting(ClientOptions options) throws Failure {
        try (InputStream in = Files.newInputStream(options.caCert)) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            int i = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("ca" + i++, certificate);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, factory.getTrustManagers(), null);
            return ssl;
        } catch (IOException | GeneralSecurityException e) {
            throw new Failure(Herald.BAD_INPUT, 0, "cannot use --cacert " + options.caCert + ": " + e.getMessage(), null);
        }
    }

    /**
     * Sends a request and returns a 2xx answer.
     *
     * @param idempotent whether connection failures and 502/503/504 may be retried
     * @throws Failure for anything else, after retries
     */
    Reply send(String method, String path, String contentType, byte[] body, boolean idempotent, String... headers)
            throws Failure {
        if (token == null) {
            throw new Failure(Herald.BAD_INPUT, 0, "no API token: set HERALD_TOKEN (or pass --token)", null);
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(path.startsWith("/") ? path.substring(1) : path))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json, application/problem+json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            builder.header("Content-Type", contentType);
        }
        for (int i = 0; i < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        HttpRequest request = builder.build();
        long backoffMillis = 500;
        for (int attempt = 1; ; attempt++) {
            HttpResponse<byte[]> response;
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                String why = e instanceof ConnectException ? "cannot connect to " + base : e.toString();
                if (!idempotent || attempt >= MAX_ATTEMPTS) {
                    throw new Failure(Herald.FAILURE, 0, why, null);
                }
                err.println("herald: " + why + "; retrying in " + backoffMillis + " ms");
                err.flush();
                sleep(backoffMillis);
                backoffMillis = Math.min(backoffMillis * 2, 8_000);
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Failure(Herald.FAILURE, 0, "interrupted", null);
            }
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                return new Reply(status, response.body(), response.headers());
            }
            if (status == 429 && attempt < MAX_ATTEMPTS * 2) {
                long seconds = response.headers().firstValue("Retry-After").map(ServerClient::seconds).orElse(1L);
                sleep(Math.min(60, Math.max(1, seconds)) * 1000);
                continue;
            }
            if (idempotent && (status == 502 || status == 503 || status == 504) && attempt < MAX_ATTEMPTS) {
                err.println("herald: the server answered " + status + "; retrying in " + backoffMillis + " ms");
                err.flush();
                sleep(backoffMillis);
                backoffMillis = Math.min(backoffMillis * 2, 8_000);
                continue;
            }
            throw failure(status, response.body());
        }
    }

    private static Failure failure(int status, byte[] body) {
        JsonNode problem = null;
        try {
            problem = JSON.readTree(body);
        } catch (IOException ignored) {
            // not a problem document
        }
        String title = problem != null && problem.has("title") ? problem.get("title").asText() : "HTTP " + status;
        String detail = problem != null && problem.has("detail") ? ": " + problem.get("detail").asText() : "";
        int exit = switch (status) {
            case 400, 409, 413, 415, 422 -> Herald.BAD_INPUT;
            default -> Herald.FAILURE;
        };
        return new Failure(exit, status, status + " " + title + detail, problem);
    }

    private static long seconds(String retryAfter) {
        try {
            return Long.parseLong(retryAfter.strip());
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    private static void sleep(long millis) throws Failure {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(Herald.FAILURE, 0, "interrupted", null);
        }
    }
}
