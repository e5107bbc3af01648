"""tours"""
