"""The benchmark suite: chatadmin on demo stores of 100k and 1M conversations, beside stock and fast data tables."""
