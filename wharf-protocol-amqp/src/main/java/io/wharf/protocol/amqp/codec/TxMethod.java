package io.wharf.protocol.amqp.codec;

import io.netty.buffer.ByteBuf;

/** The methods of the tx class (90), none of which has arguments. */
public sealed interface TxMethod extends Method {

    int CLASS_ID = 90;

    @Override
    default int classId() {
        return CLASS_ID;
    }

    @Override
    default void write(ByteBuf out) {
    }

    /** tx.select (10): puts the channel in transactional mode. */
    record Select() implements TxMethod {

        static final Select INSTANCE = new Select();

        @Override
        public int methodId() {
            return 10;
        }
    }

    /** tx.select-ok (11). */
    record SelectOk() implements TxMethod {

        static final SelectOk INSTANCE = new SelectOk();

        @Override
        public int methodId() {
            return 11;
        }
    }

    /** tx.commit (20). */
    record Commit() implements TxMethod {

        static final Commit INSTANCE = new Commit();

        @Override
        public int methodId() {
            return 20;
        }
    }

    /** tx.commit-ok (21). */
    record CommitOk() implements TxMethod {

        static final CommitOk INSTANCE = new CommitOk();

        @Override
        public int methodId() {
            return 21;
        }
    }

    /** tx.rollback (30). */
    record Rollback() implements TxMethod {

        static final Rollback INSTANCE = new Rollback();

        @Override
        public int methodId() {
            return 30;
        }
    }

    /** tx.rollback-ok (31). */
    record RollbackOk() implements TxMethod {

        static final RollbackOk INSTANCE = new RollbackOk();

        @Override
        public int methodId() {
            return 31;
        }
    }
}
