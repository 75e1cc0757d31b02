// KafkaJS against a broker: admin, an idempotent gzip producer with keys and headers, a consumer
// group, and a transactional producer whose aborted transaction a read_committed consumer never
// sees. Prints one summary line; exits 1 on the first thing that is not as expected.
const { Kafka, logLevel, CompressionTypes } = require('kafkajs')

const kafka = new Kafka({ clientId: 'kafkajs-test', brokers: [process.argv[2]], logLevel: logLevel.ERROR })
const topic = 'js-orders'
const count = 30

function check(ok, what) {
  if (!ok) {
    console.log('kafkajs: ' + what)
    process.exit(1)
  }
}

async function consumeAll(groupId, expected) {
  const consumer = kafka.consumer({ groupId })
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  const got = []
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('consumed only ' + got.length + ' of ' + expected)), 60000)
    consumer.run({
      eachMessage: async ({ message }) => {
        got.push(message)
        if (got.length === expected) {
          clearTimeout(timer)
          resolve()
        }
      },
    }).catch(reject)
  })
  await consumer.disconnect()
  return got
}

async function main() {
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true })
  check((await admin.listTopics()).includes(topic), 'the new topic is not listed')

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  const messages = []
  for (let i = 0; i < count; i++) messages.push({ key: 'k' + i, value: 'v' + i, headers: { n: String(i) } })
  await producer.send({ topic, acks: -1, compression: CompressionTypes.GZIP, messages })
  await producer.disconnect()

  const read = await consumeAll('js-readers', count)
  check(read.every(m => m.key.toString() === 'k' + m.value.toString().slice(1)
      && m.headers.n.toString() === m.value.toString().slice(1)), 'keys or headers changed')
  const offsets = await admin.fetchOffsets({ groupId: 'js-readers', topics: [topic] })
  const committed = offsets[0].partitions.reduce((sum, p) => sum + Number(p.offset), 0)
  check(committed === count, 'committed offsets add up to ' + committed)

  const transactional = kafka.producer({ transactionalId: 'js-transactions', idempotent: true, maxInFlightRequests: 1 })
  await transactional.connect()
  const aborted = await transactional.transaction()
  await aborted.send({ topic, messages: [{ key: 'k', value: 'aborted' }] })
  await aborted.abort()
  const kept = await transactional.transaction()
  await kept.send({ topic, messages: [{ key: 'k', value: 'committed' }] })
  await kept.commit()
  await transactional.disconnect()
  const all = await consumeAll('js-committed-readers', count + 1)
  check(all.some(m => m.value.toString() === 'committed'), 'the committed transaction is missing')
  check(!all.some(m => m.value.toString() === 'aborted'), 'a read_committed consumer saw the aborted transaction')

  await admin.deleteTopics({ topics: [topic] })
  check(!(await admin.listTopics()).includes(topic), 'the deleted topic is still listed')
  await admin.disconnect()
  console.log(`kafkajs: created, produced ${count}, consumed ${read.length} with keys and headers, committed ${committed}`
      + ', read_committed skipped the aborted transaction, deleted')
}

main().then(() => process.exit(0)).catch(e => {
  console.log('kafkajs: ' + (e.stack || e))
  process.exit(1)
})
