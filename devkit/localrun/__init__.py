"""The local runtime behind `make dev`: the template's functions, served in one process.

Reads template.yaml, runs the table on DynamoDB Local (moto when Java is missing) and
every other service on moto's server, serves the HTTP API routes through a WSGI router
that speaks API Gateway's payload 2.0, and delivers the template's other event sources
(EventBridge rules targeting functions or queues, the table stream, SQS queues with their
batching window, schedules, S3 notifications) in-process.
"""
