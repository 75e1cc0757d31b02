package io.wharf.protocol.amqp.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class AmqpExceptionTest {

    @Test
    void shouldFormatTheReplyTextAsRabbitMqDoes() {
        AmqpException e = AmqpException.channel(ReplyCode.NOT_FOUND, 3, 50, 10, "no queue 'x' in vhost '/'");

        assertThat(e.replyText()).isEqualTo("NOT_FOUND - no queue 'x' in vhost '/'");
        assertThat(e.getMessage()).isEqualTo(e.replyText());
        assertThat(e.text()).isEqualTo("no queue 'x' in vhost '/'");
        assertThat(e.code()).isEqualTo(404);
        assertThat(e.channel()).isEqualTo(3);
        assertThat(e.classId()).isEqualTo(50);
        assertThat(e.methodId()).isEqualTo(10);
        assertThat(e.connectionLevel()).isFalse();
    }

    @Test
    void shouldCloseTheConnectionForAHardErrorEvenWhenRaisedOnAChannel() {
        AmqpException e = AmqpException.channel(ReplyCode.CHANNEL_ERROR, 9, 20, 10, "second 'channel.open' seen");

        assertThat(e.connectionLevel()).isTrue();
        assertThat(e.channel()).isEqualTo(9);
    }

    @Test
    void shouldCloseTheConnectionWhenForcedWhateverTheCode() {
        AmqpException e = AmqpException.connection(ReplyCode.ACCESS_REFUSED, 10, 40, "access to vhost '/' refused");

        assertThat(e.connectionLevel()).isTrue();
        assertThat(e.channel()).isZero();
        assertThat(e.classId()).isEqualTo(10);
        assertThat(AmqpException.connection(ReplyCode.NOT_FOUND, "no vhost").methodId()).isZero();
    }

    @Test
    void shouldMoveToAnotherChannelKeepingEverythingElse() {
        AmqpException e = AmqpException.connection(ReplyCode.SYNTAX_ERROR, 60, 40, "bad").withChannel(4);

        assertThat(e.channel()).isEqualTo(4);
        assertThat(e.replyCode()).isEqualTo(ReplyCode.SYNTAX_ERROR);
        assertThat(e.classId()).isEqualTo(60);
        assertThat(e.methodId()).isEqualTo(40);
        assertThat(e.connectionLevel()).isTrue();
    }

    @Test
    void shouldCutAReplyTextThatWouldNotFitAShortStringAtACharacterBoundary() {
        String text = "x".repeat(12) + "é".repeat(200);
        AmqpException e = AmqpException.channel(ReplyCode.PRECONDITION_FAILED, 1, 0, 0, text);

        byte[] utf8 = e.replyText().getBytes(StandardCharsets.UTF_8);
        assertThat(utf8.length).isLessThanOrEqualTo(255).isGreaterThanOrEqualTo(254);
        assertThat(e.replyText()).startsWith("PRECONDITION_FAILED - xxx").endsWith("é");
        assertThat(e.getMessage()).endsWith(text);
    }

    @Test
    void shouldRecordACause() {
        IllegalStateException failure = new IllegalStateException("disk full");
        AmqpException e = AmqpException.channel(ReplyCode.INTERNAL_ERROR, 2, 60, 40, "publish failed")
                .causedBy(failure);

        assertThat(e).hasCause(failure);
        assertThat(e.channel()).isEqualTo(2);
        assertThat(e.withChannel(3)).hasCause(failure);
    }

    @Test
    void shouldCarryNoStackTrace() {
        assertThat(AmqpException.connection(ReplyCode.FRAME_ERROR, "x").getStackTrace()).isEmpty();
    }

    @Test
    void shouldKnowTheSpecsReplyCodesAndWhichAreHard() {
        assertThat(Arrays.stream(ReplyCode.values()).mapToInt(ReplyCode::code))
                .containsExactly(200, 311, 312, 313, 320, 402, 403, 404, 405, 406, 501, 502, 503, 504, 505, 506, 530,
                        540, 541);
        assertThat(Arrays.stream(ReplyCode.values()).filter(ReplyCode::connectionLevel).mapToInt(ReplyCode::code))
                .containsExactly(320, 402, 501, 502, 503, 504, 505, 506, 530, 540, 541);
        assertThat(ReplyCode.fromCode(404)).contains(ReplyCode.NOT_FOUND);
        assertThat(ReplyCode.fromCode(999)).isEmpty();
    }
}
