"""Plain Python / numpy / pandas / torch building blocks: no ray, no mlflow."""
