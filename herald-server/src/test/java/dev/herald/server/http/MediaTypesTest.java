package dev.herald.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MediaTypesTest {

    @Test
    void essenceDropsParametersAndCase() {
        assertThat(MediaTypes.essence("Application/CloudEvents+JSON; charset=UTF-8"))
                .isEqualTo("application/cloudevents+json");
        assertThat(MediaTypes.essence(null)).isEmpty();
        assertThat(MediaTypes.isJson("application/vnd.api+json")).isTrue();
        assertThat(MediaTypes.isJson("text/plain")).isFalse();
    }
}
