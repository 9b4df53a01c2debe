package dev.herald.test.arch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DomainsTest {

    @Test
    void subpackagesOfARootAreDomainsAndTheRootItselfIsNone() {
        Domains domains = Domains.subpackagesOf("com.acme.shop");

        assertThat(domains.of("com.acme.shop.billing")).contains("billing");
        assertThat(domains.of("com.acme.shop.billing.internal")).contains("billing");
        assertThat(domains.of("com.acme.shop")).isEmpty();
        assertThat(domains.of("com.acme.shopping.billing")).isEmpty();
    }

    @Test
    void namedDomainsMatchTheirPackageAndBelowTheMostSpecificWinning() {
        Domains domains = Domains.of(Map.of("logistics", "com.acme.logistics",
                "shipping", "com.acme.logistics.shipping"));

        assertThat(domains.of("com.acme.logistics.stock")).contains("logistics");
        assertThat(domains.of("com.acme.logistics.shipping.labels")).contains("shipping");
        assertThat(domains.of("com.acme.logisticsx")).isEmpty();
        assertThatThrownBy(() -> Domains.of(Map.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
