import Foundation
import Prometheus

/// The Prometheus registry of one app instance (no global metrics system, so each
/// test's app counts only its own requests).
public final class AppMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    let transactionsInFlight: Gauge
    let transactionDuration: DurationHistogram
    let poolSize: Gauge
    /// Write transactions admitted and not yet answered (`WriteQueue`).
    let writeQueueDepth: Gauge
    /// Transactions per COMMIT of the group-commit writer.
    let writeBatchSize: ValueHistogram

    static let requestBuckets: [Duration] = [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5)]

    public init() {
        transactionsInFlight = registry.makeGauge(descriptor: .init(namespace: "onevisit", metricName: "db_transactions_in_flight", unitName: "", helpText: "Database transactions open now"))
        transactionDuration = registry.makeDurationHistogram(descriptor: .init(namespace: "onevisit", metricName: "db_transaction_duration", unitName: "seconds", helpText: "Time a database transaction holds a connection"), labels: [], buckets: Self.requestBuckets)
        writeQueueDepth = registry.makeGauge(descriptor: .init(namespace: "onevisit", metricName: "db_write_queue_depth", unitName: "", helpText: "Write transactions admitted and not yet committed"))
        writeBatchSize = registry.makeValueHistogram(descriptor: .init(namespace: "onevisit", metricName: "db_write_batch_size", unitName: "", helpText: "Transactions committed together by the group-commit writer"), buckets: [1, 2, 4, 8, 16, 32, 64])
        poolSize = registry.makeGauge(descriptor: .init(namespace: "onevisit", metricName: "db_pool_connections_max", unitName: "", helpText: "Connections the database pool may open"))
    }

    func recordRequest(method: String, route: String, status: Int, duration: Duration) {
        let labels = [("method", method), ("route", route), ("status", String(status))]
        registry.makeCounter(descriptor: .init(namespace: "onevisit", metricName: "http_requests", unitName: "total", helpText: "HTTP requests answered"), labels: labels).increment()
        registry.makeDurationHistogram(descriptor: .init(namespace: "onevisit", metricName: "http_request_duration", unitName: "seconds", helpText: "HTTP request latency"), labels: [("method", method), ("route", route)], buckets: Self.requestBuckets).record(duration)
    }

    public func render() -> String { registry.emitToString() }
}
