package dev.herald.server.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The SSRF guard's address classes, allow-list and resolution, without the network (a fixed resolver). */
class SsrfGuardTest {

    private static final Map<String, List<String>> DNS = Map.of(
            "hooks.example.com", List.of("93.184.216.34"),
            "internal.example.com", List.of("10.1.2.3"),
            "mixed.example.com", List.of("93.184.216.34", "127.0.0.1"),
            "metadata.example.com", List.of("169.254.169.254"),
            "v6.example.com", List.of("2001:4860:4860::8888"),
            "build.corp.example", List.of("10.20.3.4"));

    private static InetAddress[] resolve(String host) throws UnknownHostException {
        List<String> addresses = DNS.get(host);
        if (addresses == null) {
            throw new UnknownHostException(host);
        }
        InetAddress[] resolved = new InetAddress[addresses.size()];
        for (int i = 0; i < resolved.length; i++) {
            resolved[i] = InetAddress.getByName(addresses.get(i));
        }
        return resolved;
    }

    private static final SsrfGuard GUARD = SsrfGuard.withAllowList(List.of(), SsrfGuardTest::resolve);

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "http://127.0.0.1/             | loopback",
            "http://127.1/                 | no host",
            "http://2130706433/            | loopback",
            "http://10.0.0.1/              | private",
            "http://172.16.0.1/            | private",
            "http://172.31.255.255/        | private",
            "http://192.168.1.1/           | private",
            "http://169.254.169.254/       | link-local",
            "http://100.64.0.1/            | CGNAT",
            "http://0.0.0.0/               | unspecified",
            "http://224.0.0.1/             | multicast",
            "http://255.255.255.255/       | broadcast",
            "http://192.0.0.170/           | IETF",
            "http://198.18.0.1/            | benchmarking",
            "http://[::1]/                 | loopback",
            "http://[::]/                  | unspecified",
            "http://[fe80::1]/             | link-local",
            "http://[fc00::1]/             | unique local",
            "http://[fd00:ec2::254]/       | unique local",
            "http://[ff02::1]/             | multicast",
            "http://[fec0::1]/             | site-local",
            "http://[::ffff:127.0.0.1]/    | loopback",
            "http://[::ffff:a00:1]/        | private",
            "http://[64:ff9b::a9fe:a9fe]/  | NAT64",
            "http://[2002:a00:1::]/        | 6to4",
            "http://internal.example.com/  | resolves to 10.1.2.3",
            "http://metadata.example.com/  | link-local",
            "http://mixed.example.com/     | resolves to 127.0.0.1",
            "http://nowhere.example.com/   | does not resolve"})
    void refuses(String url, String reason) {
        assertThatThrownBy(() -> GUARD.check(URI.create(url))).isInstanceOf(SinkRefusedException.class)
                .hasMessageContaining(reason);
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://93.184.216.34/hook", "https://hooks.example.com/x", "https://v6.example.com/",
            "http://[2001:4860:4860::8888]:8443/", "http://172.32.0.1/", "http://100.128.0.1/", "http://9.9.9.9/"})
    void allowsPublicAddresses(String url) {
        assertThatCode(() -> GUARD.check(URI.create(url))).doesNotThrowAnyException();
    }

    @Test
    void theAllowListNamesHostsDomainsAndRanges() throws Exception {
        SsrfGuard guard = SsrfGuard.withAllowList(List.of("internal.example.com", "*.corp.example", "127.0.0.1",
                "fd00::/8", "100.64.0.0/10"), SsrfGuardTest::resolve);

        for (String url : List.of("http://internal.example.com/", "http://build.corp.example/", "http://127.0.0.1:9/",
                "http://[fd12::1]/", "http://100.100.1.1/")) {
            assertThatCode(() -> guard.check(URI.create(url))).as(url).doesNotThrowAnyException();
        }
        assertThatThrownBy(() -> guard.check(URI.create("http://127.0.0.2/"))).hasMessageContaining("loopback");
        assertThatThrownBy(() -> guard.check(URI.create("http://corp.example.evil.com/")))
                .hasMessageContaining("does not resolve");
        assertThatThrownBy(() -> SsrfGuard.withAllowList(List.of("not a host!")))
                .hasMessageContaining("not a host!");
        assertThatThrownBy(() -> SsrfGuard.withAllowList(List.of("10.0.0.0/33"))).hasMessageContaining("prefix");
        assertThat(Cidr.parse("10.0.0.0/8").contains(InetAddress.getByName("10.255.1.1"))).isTrue();
        assertThat(Cidr.parse("10.0.0.0/8").contains(InetAddress.getByName("11.0.0.1"))).isFalse();
        assertThat(Cidr.parse("fe80::/10").contains(InetAddress.getByName("febf::1"))).isTrue();
        assertThat(Cidr.parse("fe80::/10").contains(InetAddress.getByName("fec0::1"))).isFalse();
    }

    @Test
    void aDisabledGuardAllowsEverything() {
        assertThatCode(() -> SsrfGuard.disabled().check(URI.create("http://127.0.0.1/"))).doesNotThrowAnyException();
    }
}
