package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.event.JsonEvents;
import dev.herald.server.config.ServerConfig;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS from PEM files: a self-signed certificate made with the JDK's keytool, a java.net.http round trip. */
class TlsTest {

    @TempDir
    static Path dir;
    static Certificate certificate;
    static byte[] pkcs8;

    @BeforeAll
    static void makeCertificate() throws Exception {
        Path keystore = dir.resolve("ks.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "herald", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-keystore", keystore.toString(),
                "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(output).isZero();
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, "changeit".toCharArray());
        }
        certificate = store.getCertificate("herald");
        pkcs8 = ((PrivateKey) store.getKey("herald", "changeit".toCharArray())).getEncoded();
        Files.writeString(dir.resolve("cert.pem"), pem("CERTIFICATE", certificate.getEncoded()));
        Files.writeString(dir.resolve("key.pem"), pem("PRIVATE KEY", pkcs8));
        // The same key in PKCS#1 form (what `openssl genrsa` used to write): the PKCS#8 wrapper's payload.
        Files.writeString(dir.resolve("rsa-key.pem"), pem("RSA PRIVATE KEY", Arrays.copyOfRange(pkcs8, 26, pkcs8.length)));
    }

    static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + label + "-----\n";
    }

    static HttpClient trustingClient() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("herald", certificate);
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, factory.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @Test
    void servesHttpsFromPemFiles() throws Exception {
        assertThat(PemTls.wrapPkcs1(Arrays.copyOfRange(pkcs8, 26, pkcs8.length))).isEqualTo(pkcs8);
        Path data = Files.createDirectories(dir.resolve("data"));
        ServerConfig config = ServerConfig.fromMap(Map.of("port", "0", "host", "127.0.0.1", "data", data.toString(),
                "tls.cert", dir.resolve("cert.pem").toString(), "tls.key", dir.resolve("rsa-key.pem").toString()))
                .withInitialAdminToken(Harness.FIXED_ADMIN);
        try (HeraldServer server = HeraldServer.builder(config).firstStartOutput(System.err).start()) {
            URI base = server.baseUri();
            assertThat(base.getScheme()).isEqualTo("https");
            HttpClient client = trustingClient();

            HttpResponse<String> health = client.send(HttpRequest.newBuilder(base.resolve("healthz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.sslSession()).isPresent();

            HttpResponse<String> published = client.send(HttpRequest.newBuilder(base.resolve("v1/events"))
                    .header("Authorization", "Bearer " + Harness.FIXED_ADMIN)
                    .header("Content-Type", JsonEvents.STRUCTURED)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JsonEvents.write(Harness.pipeline(1, null)))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(published.statusCode()).as(published.body()).isEqualTo(202);

            HttpResponse<String> schemas = client.send(HttpRequest.newBuilder(base.resolve("v1/schemas/ci.pipeline.created"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(schemas.body()).contains("\"uri\":\"https://localhost:" + server.port() + "/v1/schemas/");

            HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            URI cleartext = URI.create("http://127.0.0.1:" + server.port() + "/healthz");
            assertThatThrownBy(() -> {
                HttpResponse<String> r = plain.send(HttpRequest.newBuilder(cleartext).timeout(Duration.ofSeconds(5))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    throw new IllegalStateException("refused with " + r.statusCode());
                }
            }).as("plain HTTP is not served").isInstanceOf(Exception.class);

            HttpClient untrusting = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            assertThatThrownBy(() -> untrusting.send(HttpRequest.newBuilder(base.resolve("healthz")).build(),
                    HttpResponse.BodyHandlers.ofString())).isInstanceOf(javax.net.ssl.SSLException.class);
        }
    }

    @Test
    void encryptedOrMissingKeysAreExplained() throws Exception {
        Files.writeString(dir.resolve("enc.pem"), pem("ENCRYPTED PRIVATE KEY", new byte[] {1, 2, 3}));
        ServerConfig config = ServerConfig.fromMap(Map.of("port", "0", "data", dir.resolve("d2").toString(),
                "tls.cert", dir.resolve("cert.pem").toString(), "tls.key", dir.resolve("enc.pem").toString()));
        assertThatThrownBy(() -> PemTls.keyStore(config.get(ServerConfig.TLS_CERT).orElseThrow(), config.get(ServerConfig.TLS_KEY).orElseThrow()))
                .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
        assertThatThrownBy(() -> ServerConfig.fromMap(Map.of("tls.cert", "x.pem")))
                .hasMessageContaining("both tls.cert and tls.key");
    }
}
