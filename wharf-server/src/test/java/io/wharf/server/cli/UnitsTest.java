package io.wharf.server.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class UnitsTest {

    @ParameterizedTest
    @CsvSource({"0, 0 B", "512, 512 B", "1023, 1023 B", "1024, 1 KiB", "1536, 1.5 KiB", "10240, 10 KiB", "10239, 10 KiB",
        "65536, 64 KiB", "67108864, 64 MiB", "1073741824, 1 GiB", "5000000000, 4.7 GiB"})
    void shouldShowBytesInBinaryUnits(double bytes, String shown) {
        assertThat(Units.bytes(bytes)).isEqualTo(shown);
    }

    @ParameterizedTest
    @CsvSource({"0, 0/s", "0.25, 0.3/s", "2.5, 2.5/s", "12.4, 12/s", "1200, 1200/s"})
    void shouldShowRatesPerSecond(double rate, String shown) {
        assertThat(Units.rate(rate)).isEqualTo(shown);
    }

    @Test
    void shouldShowByteRates() {
        assertThat(Units.byteRate(1_258_291.2)).isEqualTo("1.2 MiB/s");
    }

    @ParameterizedTest
    @CsvSource({"0, 0s", "12999, 12s", "312000, 5m 12s", "7500000, 2h 5m", "273600000, 3d 4h"})
    void shouldShowTheTwoLargestUnitsOfADuration(long millis, String shown) {
        assertThat(Units.duration(millis)).isEqualTo(shown);
    }

    @Test
    void shouldShowBooleansAsYesOrNo() {
        assertThat(Units.flag(JsonNodeFactory.instance.booleanNode(true))).isEqualTo("yes");
        assertThat(Units.flag(JsonNodeFactory.instance.booleanNode(false))).isEqualTo("no");
        assertThat(Units.flag(JsonNodeFactory.instance.missingNode())).isEmpty();
    }
}
