package dev.herald.server.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * A webhook receiver on loopback (Jetty) speaking what a test asks for: HTTPS with HTTP/2 and HTTP/1.1
 * offered through ALPN, HTTPS with HTTP/1.1 only, or cleartext HTTP/1.1 that would also take prior-knowledge
 * HTTP/2 (h2c). It records the protocol each request arrived over and its connection, and answers 204.
 */
final class TlsSink implements AutoCloseable {

    /** One request: the protocol it came over ({@code HTTP/2.0}, {@code HTTP/1.1}), its connection, headers, body. */
    record Received(String protocol, String connection, HttpFields headers, byte[] body) {
        String header(String name) {
            return headers.get(name);
        }
    }

    /** What the sink offers. */
    enum Offer { TLS_H2_AND_H1, TLS_H1_ONLY, CLEARTEXT_H1_AND_H2C }

    private final Server server = new Server();
    private final ServerConnector connector;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final boolean secure;

    /** Starts a sink; the TLS offers present the certificate of alias {@code herald} in {@code keyStore}. */
    TlsSink(Offer offer, Certificates keyStore) throws Exception {
        HttpConfiguration http = new HttpConfiguration();
        secure = offer != Offer.CLEARTEXT_H1_AND_H2C;
        ConnectionFactory[] factories;
        if (offer == Offer.CLEARTEXT_H1_AND_H2C) {
            factories = new ConnectionFactory[]{new HttpConnectionFactory(http), new HTTP2CServerConnectionFactory(http)};
        } else {
            http.addCustomizer(new SecureRequestCustomizer());
            SslContextFactory.Server tls = new SslContextFactory.Server();
            tls.setKeyStore(keyStore.keyStore());
            tls.setKeyStorePassword(Certificates.PASSWORD);
            if (offer == Offer.TLS_H2_AND_H1) {
                ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory("h2", "http/1.1");
                alpn.setDefaultProtocol("http/1.1");
                factories = new ConnectionFactory[]{new SslConnectionFactory(tls, alpn.getProtocol()), alpn,
                        new HTTP2ServerConnectionFactory(http), new HttpConnectionFactory(http)};
            } else {
                factories = new ConnectionFactory[]{new SslConnectionFactory(tls, "http/1.1"),
                        new HttpConnectionFactory(http)};
            }
        }
        connector = new ServerConnector(server, factories);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                ByteBuffer content = Content.Source.asByteBuffer(request);
                byte[] body = new byte[content.remaining()];
                content.get(body);
                received.add(new Received(request.getConnectionMetaData().getProtocol(),
                        request.getConnectionMetaData().getId(), request.getHeaders().asImmutable(), body));
                response.setStatus(204);
                callback.succeeded();
                return true;
            }
        });
        server.start();
    }

    /** The sink's URL under the given host name (which must resolve to loopback). */
    URI url(String host) {
        return URI.create((secure ? "https" : "http") + "://" + host + ":" + connector.getLocalPort() + "/hook");
    }

    /** The next request, waiting up to 10 s. */
    Received next() throws InterruptedException {
        Received next = received.poll(10, TimeUnit.SECONDS);
        assertThat(next).as("a request within 10 s").isNotNull();
        return next;
    }

    /** Asserts that no request arrives within the given time. */
    void expectNothing(Duration within) throws InterruptedException {
        assertThat(received.poll(within.toMillis(), TimeUnit.MILLISECONDS)).isNull();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    /**
     * A self-signed certificate for {@code localhost}, {@value RebindingResolverProvider#LOOPBACK} and
     * {@code 127.0.0.1}, made with the JDK's keytool: the sink's key store, and a trust store holding only it.
     */
    record Certificates(KeyStore keyStore, KeyStore trustStore) {

        static final String PASSWORD = "changeit";

        static Certificates create(Path dir) throws Exception {
            Path file = dir.resolve("sink.p12");
            Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                    "-genkeypair", "-alias", "herald", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,dns:" + RebindingResolverProvider.LOOPBACK
                            + ",ip:127.0.0.1", "-validity", "2", "-keystore", file.toString(), "-storetype", "PKCS12",
                    "-storepass", PASSWORD, "-keypass", PASSWORD).redirectErrorStream(true).start();
            String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(keytool.exitValue()).as(output).isZero();
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(file)) {
                keys.load(in, PASSWORD.toCharArray());
            }
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("sink", keys.getCertificate("herald"));
            return new Certificates(keys, trust);
        }
    }
}
