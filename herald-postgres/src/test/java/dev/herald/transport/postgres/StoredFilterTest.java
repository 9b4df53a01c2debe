package dev.herald.transport.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.transport.NativeFilter;
import dev.herald.transport.NativeFilter.All;
import dev.herald.transport.NativeFilter.Any;
import dev.herald.transport.NativeFilter.Exact;
import dev.herald.transport.NativeFilter.Not;
import dev.herald.transport.NativeFilter.Prefix;
import dev.herald.transport.TransportException;
import java.util.List;
import org.junit.jupiter.api.Test;

class StoredFilterTest {

    @Test
    void everyFilterComesBackAsItWasStoredWhateverItsValues() {
        NativeFilter filter = new All(List.of(
                new Exact("type", "a\"b\\c'd%e_f"),
                new Any(List.of(new Prefix("subject", "😀/中文/é"), new Not(new Exact("tenant", "nul\0inside")),
                        new Any(List.of()), new All(List.of())))));
        String stored = StoredFilter.write(filter);
        assertThat(stored).doesNotContain("\0");
        assertThat(StoredFilter.read(stored)).isEqualTo(filter);
    }

    @Test
    void noFilterIsStoredAsNull() {
        assertThat(StoredFilter.write(NativeFilter.ALL)).isNull();
        assertThat(StoredFilter.read(null)).isEqualTo(NativeFilter.ALL);
    }

    @Test
    void aDamagedValueIsReportedNotMisread() {
        assertThatThrownBy(() -> StoredFilter.read("{\"exact\": [\"type\"]}")).isInstanceOf(TransportException.class)
                .hasMessageContaining("[attribute, value]");
        assertThatThrownBy(() -> StoredFilter.read("{\"regex\": [\"type\", \".*\"]}"))
                .isInstanceOf(TransportException.class).hasMessageContaining("unknown operator regex");
    }
}
