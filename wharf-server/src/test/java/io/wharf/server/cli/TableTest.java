package io.wharf.server.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TableTest {

    private static String print(Table table) {
        StringWriter out = new StringWriter();
        table.print(new PrintWriter(out));
        return out.toString();
    }

    @Test
    void shouldAlignTextLeftAndNumbersRightUnderTheHeader() {
        Table table = new Table().left("NAME").right("MESSAGES").left("STATE")
                .row("orders", 12, "running")
                .row("a-much-longer-name", 1_000_000, "idle");

        assertThat(print(table)).isEqualTo("""
                NAME                MESSAGES  STATE
                orders                    12  running
                a-much-longer-name   1000000  idle
                """);
    }

    @Test
    void shouldLeaveNoTrailingBlanksAndPrintNullAsNothing() {
        Table table = new Table().left("NAME").left("CLIENT").row("c1", null).row("c2", "order-service");

        assertThat(print(table).lines()).containsExactly("NAME  CLIENT", "c1", "c2    order-service");
    }

    @Test
    void shouldPrintOnlyTheHeaderWhenThereAreNoRows() {
        assertThat(print(new Table().left("NAME").right("LAG"))).isEqualTo("NAME  LAG\n");
    }

    @Test
    void shouldPrintKeysAndValuesWithoutAHeader() {
        Table table = new Table().left("").left("").withoutHeader().row("state", "running").row("listeners", "amqp 5672");

        assertThat(print(table)).isEqualTo("state      running\nlisteners  amqp 5672\n");
    }

    @Test
    void shouldRefuseARowOfTheWrongWidth() {
        Table table = new Table().left("NAME").right("LAG");

        assertThatThrownBy(() -> table.row("only-one")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 columns");
    }
}
