#import <objc/Object.h>
@interface Greeter : Object
@end
int main(void) { return undeclared_name; }
