package dev.herald.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScopesTest {

    @ParameterizedTest(name = "{0} matches {1}: {2}")
    @CsvSource({
            "ci.*, ci.pipeline.created, true",
            "ci.*, ci, false",
            "ci.*, cix.pipeline, false",
            "*, anything.at.all, true",
            "*.created, ci.pipeline.created, true",
            "ci.*.created, ci.pipeline.created, true",
            "ci.*.created, ci.pipeline.finished, false",
            "ci.pipeline.created, ci.pipeline.created, true",
            "ci.pipeline.created, ci.pipeline.created2, false",
            "a*b*c, aXbYc, true",
            "a*b*c, aXbY, false"})
    void globs(String glob, String type, boolean matches) {
        assertThat(new TypePattern(glob).matches(type)).isEqualTo(matches);
    }

    @Test
    void scopesParseAndPrint() {
        assertThat(Scope.parse("admin")).isEqualTo(Scope.ADMIN);
        assertThat(Scope.parse("publish:ci.*").toString()).isEqualTo("publish:ci.*");
        assertThat(Scope.parse("subscribe:*").allows(Scope.Kind.SUBSCRIBE, "x.y")).isTrue();
        assertThat(Scope.parse("subscribe:*").allows(Scope.Kind.PUBLISH, "x.y")).isFalse();
        assertThatThrownBy(() -> Scope.parse("write:*")).hasMessageContaining("not a scope kind");
        assertThatThrownBy(() -> Scope.parse("publish:a b")).hasMessageContaining("not a type pattern");
        assertThatThrownBy(() -> Scope.parse("everything")).hasMessageContaining("not a scope");
        assertThat(Scope.parse("metrics")).isEqualTo(Scope.METRICS);
        assertThat(Scope.METRICS.toString()).isEqualTo("metrics");
        assertThat(Scope.METRICS.allows(Scope.Kind.SUBSCRIBE, "x.y")).isFalse();
        TokenPrincipal scraper = new TokenPrincipal("t9", "prometheus", List.of(Scope.METRICS), Optional.empty());
        assertThat(scraper.canReadMetrics()).isTrue();
        assertThat(scraper.canSubscribeToAnything()).isFalse();
        assertThat(scraper.canPublish("x.y")).isFalse();
    }

    @Test
    void principalsCombineScopesAndProject() {
        TokenPrincipal ci = new TokenPrincipal("t1", "ci", List.of(Scope.parse("publish:ci.*")), Optional.of("p"));
        assertThat(ci.canPublish("ci.pipeline.created")).isTrue();
        assertThat(ci.canPublish("repository.push")).isFalse();
        assertThat(ci.canSubscribe("ci.pipeline.created")).isFalse();
        assertThat(ci.canSee("p")).isTrue();
        assertThat(ci.canSee("q")).isFalse();
        assertThat(ci.canSee(null)).isFalse();
        TokenPrincipal admin = new TokenPrincipal("t2", "admin", List.of(Scope.ADMIN), Optional.empty());
        assertThat(admin.canPublish("x")).isTrue();
        assertThat(admin.canSubscribe("x")).isTrue();
        assertThat(admin.canSee(null)).isTrue();
    }

    @Test
    void bucketsRefillAtTheConfiguredRate() {
        long[] now = {0};
        RateLimiter limiter = new RateLimiter(10, 2, () -> now[0]);
        assertThat(limiter.tryAcquire("t")).isZero();
        assertThat(limiter.tryAcquire("t")).isZero();
        long wait = limiter.tryAcquire("t");
        assertThat(wait).isEqualTo(100_000_000L);
        now[0] += wait;
        assertThat(limiter.tryAcquire("t")).isZero();
        assertThat(limiter.tryAcquire("u")).as("keys are independent").isZero();
        assertThat(new RateLimiter(0, 1).tryAcquire("t")).as("0 = unlimited").isZero();
    }

    @Test
    void tokenIdsComeFromTheTokenForm() {
        assertThat(TokenStore.idOf("hrld_abc234defghi_secret_with_underscore")).contains("abc234defghi");
        assertThat(TokenStore.idOf("something-else")).isEmpty();
        assertThat(TokenStore.idOf("hrld__x")).isEmpty();
    }
}
